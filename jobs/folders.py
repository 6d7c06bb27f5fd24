"""The report's folder, checked before a night starts: kept apart from `jobs.report` so that the check costs
no pandas import (whose native threads, started before `schedule` blocks SIGTERM, would take the signal)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from jobs.config import ConfigError, Settings
from notifiers.file import private_dir


class ReportFolderError(ConfigError):
    """The report's folder cannot be made or written to: `[report] out_dir` or `--out` must change (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def report_folder(settings: Settings, on: date | None, out_dir: str | None = None) -> Path:
    """The night's report folder (with `on`; else `out_dir` itself) as an absolute path, made owner-only and
    proved writable.

    Called at the start of a run, of `report` and of `schedule`, so that a folder that cannot be written stops
    the job before anything is sent or recorded, not after the reminders went out.
    """
    root = settings.resolve(out_dir or settings.report.out_dir).resolve()
    root = root / on.isoformat() if on is not None else root
    try:
        private_dir(root)
        with tempfile.TemporaryFile(dir=root, prefix=".probe."):
            pass
    except OSError as exc:
        # A file where a folder belongs (`--out report.html`): "File exists" would not say which, nor why.
        file = next((p for p in (root, *root.parents) if p.exists() and not p.is_dir()), None)
        why = f"{file} is a file, not a folder" if file is not None else exc.strerror or exc
        raise ReportFolderError(f"cannot write the report in {root}: {why}") from None
    return root
