"""The CI script is what a fresh clone runs: a syntax error in it fails every submission before a test runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_ci_script_is_valid_bash_and_ends_with_make_check() -> None:
    script = REPO / ".ci" / "run"
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    lines = [line for line in script.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[-1] == "make check"
