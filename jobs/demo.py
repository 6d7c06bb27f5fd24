"""`appealwatch demo`: a realistic demo database, one nightly run with the file notifier, the report.

Everything goes into one folder (default `demo/`), made afresh each time so that the demo repeats: the
SQLite database, the config it ran with, the outbox of .eml files and the report.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from jobs.config import load_settings
from jobs.db import init_db, make_engine
from jobs.demo_data import generate
from jobs.nightly import run_nightly
from jobs.progress import Progress

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


def run_demo(directory: str, on: date | None, seed: int, progress: Progress | None = None) -> int:
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
    settings = load_settings(config, environ={})
    day = on or settings.today()
    engine = make_engine(settings.database.url)
    init_db(engine)
    with engine.begin() as conn:
        summary = generate(conn, day, seed=seed)
    print(summary.describe())
    print()
    code = run_nightly(settings, day, progress=progress)
    if code == 1:
        print(
            "(The demo data holds bad rows on purpose: a real night exits 1 for them, and the report lists them.)"
        )
    outbox = settings.resolve(settings.notifier.outbox_dir)
    report = settings.resolve(settings.report.out_dir) / day.isoformat() / "report.html"
    print(
        f"""
Demo ready. Look at:
  database  {db}
  outbox    {outbox}  ({len(list(outbox.glob("*.eml")))} e-mails as .eml files; open one in a mail program)
  report    {report}
Try:  .venv/bin/appealwatch windows --config {config} --on {day}
      .venv/bin/appealwatch explain --config {config} --on {day} <decision id>
      .venv/bin/appealwatch runs --config {config}"""
    )
    # The demo's data holds bad rows on purpose, to show how they are reported: that is success here.
    return 0 if code in (0, 1) else code
