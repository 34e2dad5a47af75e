"""Versioned model artifacts: a directory with ``manifest.json``, ``model.json`` and
``arrays.npz``. No pickle: arrays are loaded with ``allow_pickle=False`` and everything else
is JSON, so an artifact can be inspected and diffed.

The manifest records the training-data hash, parameters, seed, library versions, training time
and label set. ``model_id`` is a hash of the model content (not of timestamps), so training
twice on the same inputs gives the same ``model_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shopcoach.errors import ValidationFailed

from .features import get_embedder
from .model import IntentModel

FORMAT = "shopcoach-intent-model"
FORMAT_VERSION = 1
VOLATILE_KEYS = ("created_at", "training_seconds", "timings")


class ArtifactError(ValidationFailed):
    """The directory is not a loadable model artifact (the message says why)."""


def data_hash(texts: Sequence[str], labels: Sequence[str], oos_label: str) -> str:
    payload = json.dumps([list(texts), list(labels), oos_label], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def library_versions(model: IntentModel) -> dict[str, str | None]:
    libs: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("numpy", "scipy", "scikit-learn"):
        libs[dist] = _version(dist)
    if model.config.uses_embedding:
        libs["embedder"] = get_embedder(model.config.embedder).version()
        if model.config.embedder == "minilm":
            libs["embedder_runtime"] = getattr(get_embedder("minilm"), "runtime", None)
            for dist in ("tokenizers", "safetensors"):
                libs[dist] = _version(dist)
    return libs


def _content_hash(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256(json.dumps(meta, sort_keys=True).encode("utf-8"))
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_model(model: IntentModel, out_dir: str | Path, *, data_sha256: str,
               training_seconds: float, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the artifact and return its manifest."""
    meta, arrays = model.state()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_id": _content_hash(meta, arrays),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "training_seconds": round(training_seconds, 3),
        "timings": model.timings,
        "data": {"sha256": data_sha256, "n_rows": model.fit_info.get("n_train"),
                 "n_oos": model.fit_info.get("n_oos_train")},
        "label_set": model.intents,
        "oos_label": model.oos_label,
        "params": model.config.to_dict(),
        "seed": model.config.seed,
        "libraries": library_versions(model),
        "fit": model.fit_info,
    }
    if extra:
        manifest["extra"] = extra
    (out / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    np.savez(out / "arrays.npz", **arrays)  # type: ignore[arg-type]  # numpy stub: **kwds
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return manifest


def read_manifest(model_dir: str | Path) -> dict[str, Any]:
    path = Path(model_dir) / "manifest.json"
    if not path.is_file():
        raise ArtifactError(f"{model_dir}: no manifest.json (not a shopcoach intent model)",
                            hint="Pass the directory written by `shopcoach intents train --out`.")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ArtifactError(f"{model_dir}: unknown artifact format {manifest.get('format')!r}",
                            hint="Pass the directory written by `shopcoach intents train --out`.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{model_dir}: artifact format version {manifest.get('format_version')}"
                            f" is not supported (this code reads version {FORMAT_VERSION})",
                            hint="Retrain the model with this version of shopcoach.")
    return manifest


def load_model(model_dir: str | Path, *, check_versions: bool = True) -> IntentModel:
    """Load an artifact. Refuses if the embedding model differs from the one used in training
    (its vectors would not match the weights); warns if scikit-learn's version differs (the
    TF-IDF analyzers come from scikit-learn)."""
    d = Path(model_dir)
    manifest = read_manifest(d)
    try:
        meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
        with np.load(d / "arrays.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:  # missing file, bad JSON/zip, pickled object arrays
        raise ArtifactError(f"{d}: unreadable model files ({exc})",
                            hint="Retrain the model or restore the artifact from its source."
                            ) from exc
    if _content_hash(meta, arrays) != manifest["model_id"]:
        raise ArtifactError(f"{d}: content does not match manifest model_id (corrupt or edited)",
                            hint="Retrain the model or restore the artifact from its source; "
                                 "artifacts must not be edited by hand.")
    model = IntentModel.from_state(meta, arrays)
    model.fit_info = dict(manifest.get("fit", {}))
    if check_versions:
        libs = manifest.get("libraries", {})
        if model.config.uses_embedding:
            want = libs.get("embedder")
            have = get_embedder(model.config.embedder).version()
            if want != have:
                raise ArtifactError(f"{d}: trained with embedder {want}, but {have} is installed",
                                    hint=f"Install {want} or retrain the model.")
        sk = libs.get("scikit-learn")
        if sk and sk != _version("scikit-learn"):
            warnings.warn(f"{d}: trained with scikit-learn {sk}, running "
                          f"{_version('scikit-learn')}; TF-IDF tokenisation may differ",
                          RuntimeWarning, stacklevel=2)
    return model


def stable_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest without the fields that legitimately differ between identical trainings."""
    return {k: v for k, v in manifest.items() if k not in VOLATILE_KEYS}
