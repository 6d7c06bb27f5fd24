"""The report's workbook, `report-<day>.xlsx`: one sheet per list, real dates and numbers, a frozen header
row, filters and column widths that fit; written owner-only like the report's other files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jobs.report_cells import csv_cell


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)


def _width(value: Any) -> int:
    if isinstance(value, date | datetime):
        return 12
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write beside the target and rename, 0600 whatever the umask: a reader never sees half a workbook."""
    # openpyxl imported here: a command that writes no workbook (`windows`, `run --dry-run`) need not load it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            # Text that would start a formula gets a quote, as in the CSVs; dates and numbers stay typed.
            ws.append([v if isinstance(v, date | int | float) else csv_cell(v) or None for v in row])
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date | datetime):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(sheet.header)))}{max(1, len(sheet.rows) + 1)}"
        for index, name in enumerate(sheet.header, start=1):
            longest = max([_width(name)] + [_width(r[index - 1]) for r in sheet.rows if index - 1 < len(r)])
            ws.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 60)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        book.save(handle)
    os.replace(tmp, path)
