"""`appealwatch demo`: a realistic demo database, one nightly run with the file notifier, the report.

Everything goes into one folder (default `demo/`), made afresh each time so that the demo repeats: the
SQLite database, the config it ran with, the outbox of .eml files and the report. This module makes the
folder and its config; the data is `jobs.demo_data`; the command (`jobs.commands.demo`) runs the night.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jobs.config import Settings, load_settings

DEMO_CONFIG = """\
# Written by `appealwatch demo`. Run the other commands on the demo with --config {config}
[database]
url = "sqlite:///{db}"

[notifier]
kind = "file"
outbox_dir = "outbox"

[report]
out_dir = "reports"

[fund]
name = "Infino"
email = "info@infino.example"
website = "https://www.infino.example/contact"
"""


@dataclass
class DemoFolder:
    root: Path
    db: Path  # the SQLite database, not yet made
    config: Path  # the config.toml the demo runs with
    settings: Settings

    @property
    def outbox(self) -> Path:
        return self.settings.resolve(self.settings.notifier.outbox_dir)

    def report(self, on: date) -> Path:
        return self.settings.resolve(self.settings.report.out_dir) / on.isoformat() / "report.html"


def demo_folder(directory: str) -> DemoFolder:
    """The demo's folder, emptied of an earlier demo's database, outbox and reports, with its config."""
    root = Path(directory).resolve()
    for name in ("appealwatch.db", "appealwatch.db-wal", "appealwatch.db-shm", "outbox", "reports"):
        target = root / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    root.mkdir(parents=True, exist_ok=True)
    db = root / "appealwatch.db"
    config = root / "config.toml"
    config.write_text(DEMO_CONFIG.format(db=db, config=config), encoding="utf-8")
    return DemoFolder(root, db, config, load_settings(config, environ={}))
