"""The type stubs match the compiled module, and the tests type-check
against them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import exitcore

HERE = Path(__file__).resolve().parent
PACKAGE = Path(exitcore.__file__).resolve().parent


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_package_files() -> None:
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "_exitcore.pyi").exists()
    # The package adds only the DataFrame conveniences (exitcore.frames) to
    # the compiled module, whose private helpers for them it does not export.
    public = set(exitcore._exitcore.__all__) - {"_import_frame", "_texts_from_objects"}
    assert set(exitcore.__all__) == public | {"from_pandas", "from_polars"}


def test_stubtest(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    done = run(["mypy.stubtest", "exitcore"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_on_package_and_tests(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    done = run(
        [
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(PACKAGE),
            str(HERE),
        ],
        cwd=HERE,
    )
    assert done.returncode == 0, done.stdout + done.stderr
