"""``shopcoach intents train|eval`` end to end through the Typer app (CliRunner), and the
installed entry point's exit code and hint for a domain error (subprocess)."""

from __future__ import annotations

import csv
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.errors import ShopcoachError, ValidationFailed
from shopcoach.intents.data import Dataset
from tests.intents.conftest import make_synthetic

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["intents", *args], catch_exceptions=False)
    return result.exit_code, result.output


def fails(*args: str) -> ShopcoachError:
    """Run a command that must fail with a domain error; return it (the console-script
    ``main`` turns it into message + hint + exit code 1, tested below)."""
    result = runner.invoke(app, ["intents", *args])
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, ShopcoachError), repr(result.exception)
    assert result.exception.hint
    return result.exception


def write_csv(path: Path, ds: Dataset, header: tuple[str, str] = ("utterance", "intent")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(zip(ds.texts, ds.labels, strict=True))
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("intents_cli")
    return {
        "train": write_csv(d / "train.csv", make_synthetic(24, 0, seed=1)),
        "test": write_csv(d / "test.csv", make_synthetic(6, 24, seed=2)),
        "dir": d,
    }


@pytest.fixture(scope="module")
def model_dir(files: dict[str, Path]) -> Path:
    out = files["dir"] / "model"
    code, text = run(
        "train", "--data", str(files["train"]), "--text-col", "utterance", "--label-col",
        "intent", "--out", str(out), "--variant", "tfidf",
    )  # fmt: skip
    assert code == 0, text
    assert "Trained tfidf model on 192 rows (8 intents, 0 out-of-scope)" in text
    assert "OOS prior" in text and "0.2000 (default)" in text  # no OOS rows in FILE
    return out


def test_train_writes_a_manifest(model_dir: Path, files: dict[str, Path]) -> None:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["label_set"] == sorted(set(make_synthetic(24, 0, seed=1).labels))
    assert manifest["params"]["variant"] == "tfidf" and manifest["seed"] == 0
    assert manifest["extra"]["source"] == str(files["train"])
    assert {"numpy", "scipy", "scikit-learn", "python"} <= set(manifest["libraries"])


def test_eval_prints_every_metric(model_dir: Path, files: dict[str, Path]) -> None:
    code, out = run(
        "eval", "--model", str(model_dir), "--data", str(files["test"]), "--text-col",
        "utterance", "--label-col", "intent",
    )  # fmt: skip
    assert code == 0, out
    assert "72 rows (24 out-of-scope)" in out
    for word in ("accuracy", "macro-F1", "OOS recall", "OOS precision", "AUROC", "ECE",
                 "Per intent", "track_order", "precision", "recall"):  # fmt: skip
        assert word in out


def test_eval_json_and_plots(model_dir: Path, files: dict[str, Path], tmp_path: Path) -> None:
    plots = tmp_path / "plots"
    code, out = run(
        "eval", "--model", str(model_dir), "--data", str(files["test"]), "--text-col",
        "utterance", "--label-col", "intent", "--oos-label", "oos", "--json", "--plots",
        str(plots),
    )  # fmt: skip
    assert code == 0, out
    report = json.loads(out)
    assert report["n"] == 72 and report["n_oos"] == 24
    assert report["auroc"] > 0.9 and report["accuracy"] > 0.8
    assert 0.0 <= report["ece"] <= 1.0 and report["oos_prior"] == 0.2
    assert set(report["per_intent"]["refund"]) == {"precision", "recall", "f1", "support"}
    assert report["per_intent"]["oos"]["support"] == 24
    assert sorted(Path(p).name for p in report["plots"]) == ["confusion_matrix.png",
                                                              "reliability.png"]  # fmt: skip
    for name in ("confusion_matrix.png", "reliability.png"):
        w, h = png_size(plots / name)
        assert w >= 300 and h >= 300


def test_eval_oos_prior_moves_the_operating_point(model_dir: Path, files: dict[str, Path]) -> None:
    base = ["eval", "--model", str(model_dir), "--data", str(files["test"]), "--text-col",
            "utterance", "--label-col", "intent", "--json"]  # fmt: skip
    low = json.loads(run(*base, "--oos-prior", "0.01")[1])
    high = json.loads(run(*base, "--oos-prior", "0.6")[1])
    assert low["oos_prior"] == 0.01 and high["oos_prior"] == 0.6
    assert high["threshold"] <= low["threshold"]
    assert high["oos_recall"] >= low["oos_recall"]
    assert low["auroc"] == high["auroc"]  # the score is unchanged, only the threshold moves


def test_eval_maps_rejections_to_the_files_oos_label(model_dir: Path, tmp_path: Path) -> None:
    ds = make_synthetic(6, 24, seed=2)
    relabelled = Dataset(ds.texts, ["NO_NODES" if x == "oos" else x for x in ds.labels])
    test_csv = write_csv(tmp_path / "t.csv", relabelled)
    code, out = run(
        "eval", "--model", str(model_dir), "--data", str(test_csv), "--text-col", "utterance",
        "--label-col", "intent", "--oos-label", "NO_NODES", "--json",
    )  # fmt: skip
    report = json.loads(out)
    assert code == 0 and report["n_oos"] == 24 and report["oos_recall"] > 0.5


def test_auto_prior_is_the_oos_share_of_the_training_file(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", make_synthetic(20, 40, seed=5))  # 40 / 200 OOS
    code, out = run(
        "train", "--data", str(train), "--text-col", "utterance", "--label-col", "intent",
        "--out", str(tmp_path / "m"), "--variant", "tfidf", "--json",
    )  # fmt: skip
    assert code == 0, out
    manifest = json.loads(out)
    assert manifest["fit"]["oos_prior"] == pytest.approx(40 / 200)
    assert manifest["fit"]["oos_prior_source"] == "train-share"
    assert manifest["params"]["oos_prior"] is None


# --------------------------------------------------------------------------- errors


def test_missing_text_column(files: dict[str, Path], tmp_path: Path) -> None:
    exc = fails("train", "--data", str(files["train"]), "--text-col", "nope", "--label-col",
                "intent", "--out", str(tmp_path / "m"))  # fmt: skip
    assert isinstance(exc, ValidationFailed)
    assert "column 'nope' not found" in exc.message and "'utterance'" in exc.message
    assert "--text-col" in str(exc.hint)
    assert not (tmp_path / "m").exists()


def test_unknown_label_column(files: dict[str, Path], model_dir: Path) -> None:
    exc = fails("eval", "--model", str(model_dir), "--data", str(files["test"]), "--text-col",
                "utterance", "--label-col", "category")  # fmt: skip
    assert "column 'category' not found" in exc.message and "--label-col" in str(exc.hint)


def test_label_column_that_holds_no_intent_of_the_model(
    files: dict[str, Path], model_dir: Path, tmp_path: Path
) -> None:
    ds = make_synthetic(2, 0, seed=3)
    swapped = write_csv(tmp_path / "s.csv", Dataset(ds.labels, ds.texts))  # columns swapped
    exc = fails("eval", "--model", str(model_dir), "--data", str(swapped), "--text-col",
                "utterance", "--label-col", "intent")  # fmt: skip
    assert "none of the 'intent' labels is an intent of the model" in exc.message


@pytest.mark.parametrize("content", ["", "utterance,intent\n", "utterance,intent\n  ,refund\n"])
def test_empty_file(content: str, tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_text(content)
    exc = fails("train", "--data", str(p), "--text-col", "utterance", "--label-col", "intent",
                "--out", str(tmp_path / "m"))  # fmt: skip
    assert str(p) in exc.message
    assert "no rows" in exc.message or "no row has a non-empty 'utterance'" in exc.message


def test_single_intent(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "one.csv", Dataset(["a b", "c d", "hi"], ["x", "x", "oos"]))
    exc = fails("train", "--data", str(p), "--text-col", "utterance", "--label-col", "intent",
                "--out", str(tmp_path / "m"), "--variant", "tfidf")  # fmt: skip
    assert "need at least two in-scope intents" in exc.message


def test_model_dir_that_is_not_a_model(files: dict[str, Path], tmp_path: Path) -> None:
    exc = fails("eval", "--model", str(tmp_path), "--data", str(files["test"]), "--text-col",
                "utterance", "--label-col", "intent")  # fmt: skip
    assert "no manifest.json" in exc.message and "intents train --out" in str(exc.hint)


def test_bad_options(files: dict[str, Path], tmp_path: Path, model_dir: Path) -> None:
    common = ["--data", str(files["train"]), "--text-col", "utterance", "--label-col", "intent",
              "--out", str(tmp_path / "m")]  # fmt: skip
    assert "--oos-prior 'lots'" in fails("train", *common, "--oos-prior", "lots").message
    assert "--oos-prior '1.5'" in fails("train", *common, "--oos-prior", "1.5").message
    assert "unknown --variant 'bert'" in fails("train", *common, "--variant", "bert").message
    assert "unknown --embedder" in fails("train", *common, "--embedder", "gpt").message
    exc = fails("eval", "--model", str(model_dir), "--data", str(files["test"]), "--text-col",
                "utterance", "--label-col", "intent", "--oos-prior", "2")  # fmt: skip
    assert "oos_prior must be in [0, 1)" in exc.message


def test_entry_point_prints_message_and_hint_and_exits_1(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("text,label\nhello,greet\n")
    proc = subprocess.run(
        [sys.executable, "-m", "shopcoach", "intents", "eval", "--model", str(tmp_path),
         "--data", str(p), "--text-col", "text", "--label-col", "label"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Error:" in proc.stderr and "no manifest.json" in proc.stderr
    assert "Hint:" in proc.stderr and "shopcoach intents train --out" in proc.stderr
