"""Trainable intent classifier with calibrated probabilities and out-of-scope detection.

Pure: plain data in (texts, labels), plain result objects out. See docs/intents.md.
"""

from .artifact import load_model, save_model
from .data import Dataset, load_table
from .metrics import EvalReport, evaluate
from .model import BatchPrediction, IntentModel, ModelConfig, Prediction

__all__ = [
    "BatchPrediction",
    "Dataset",
    "EvalReport",
    "IntentModel",
    "ModelConfig",
    "Prediction",
    "evaluate",
    "load_model",
    "load_table",
    "save_model",
]
