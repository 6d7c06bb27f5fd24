"""The fast paths of issue 11 keep every byte: the windows (`windows --all --format csv`) and every message of
a first night (subject, text, html, headers minus Date) on the demo database and on a seeded 20k-decision
database are those of the code before the change. How the golden values were made, and how to regenerate
them when wording changes on purpose: see tests/golden.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import NIGHTS, committed


@pytest.mark.parametrize("name", list(NIGHTS))
def test_the_night_reads_byte_for_byte_as_before(name: str, tmp_path: Path) -> None:
    assert NIGHTS[name](tmp_path) == committed()[name]
