"""Drift detectors (issue #5, R-MON-4): pure statistics over plain data, one result shape.

Detectors are registered by name (:func:`get_detector`, :data:`DETECTORS`); each returns a
:class:`DriftResult` saying what moved, by how much, with examples. See ``docs/drift.md``.

>>> from shopcoach.drift import get_detector
>>> get_detector("confidence")([0.9] * 100, [0.3] * 100).drifted
True
"""

from __future__ import annotations

from shopcoach.drift.registry import (
    DETECTORS,
    DetectorSpec,
    detector_names,
    get_detector,
    load_builtins,
    register_detector,
)
from shopcoach.drift.result import DriftResult, Example, Movement, Statistic

__all__ = [
    "DETECTORS",
    "DetectorSpec",
    "DriftResult",
    "Example",
    "Movement",
    "Statistic",
    "detector_names",
    "get_detector",
    "load_builtins",
    "register_detector",
]
