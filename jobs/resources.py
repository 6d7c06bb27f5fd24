"""Where the data folders (`sql/`, `templates/`) are: beside the packages in a checkout or an editable
install, under `jobs/_data/` in a wheel (pyproject's force-include)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    # A wheel's own copy first: beside the packages, in site-packages, another project's folder could sit.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name}/ folder is missing from this installation")


@cache
def sql_text(name: str) -> str:
    """The text of `sql/<name>.sql`; a missing file is a bug, so it raises at once."""
    return (data_dir("sql") / f"{name}.sql").read_text(encoding="utf-8")
