"""Golden fingerprints of what the night produces, so that the fast paths of issue 11 keep every byte.

Two databases: the demo's (`jobs.demo_data.generate`, seed 20261126) and a seeded synthetic history of
20,000 decisions (`benchmarks.synthetic.history`, seed 20261126, 6,666 families), both on SQLite as of
2026-11-26 (and on PostgreSQL too when TEST_DATABASE_URL is set: tests/test_golden.py). On each, `appealwatch windows --all --format csv` and a real first night (`run_nightly`) with
the file notifier. The fingerprints are SHA-256 digests of

- the CSV's lines, sorted (header included);
- every .eml the night wrote, each as its headers minus Date (the multipart Content-Type's boundary left
  out too: the email package draws it at random) and each part's content type, charset and decoded text,
  the messages sorted by Message-ID: subject, text, html and headers, byte for byte.

tests/golden.json holds the values generated from the code before issue 11's changes (commit 05bd3b8, the
restructured night) by

    .venv/bin/python -m tests.golden --write

Regenerate them with that command only when a change of wording is meant (issue 10's mails, say), and say so
in the commit; a speed-up must never need it. `python -m tests.golden` (without --write) prints the current
values beside the committed ones.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import io
import json
import sys
import tempfile
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jobs.demo import DEMO_CONFIG  # the demo's own configuration: the fingerprints are of its nights

GOLDEN = Path(__file__).with_name("golden.json")
ON = date(2026, 11, 26)
SEED = 20261126
SYNTHETIC_DECISIONS = 20_000


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _message_lines(mail: EmailMessage) -> list[str]:
    """One message as lines of text: headers minus Date (and the boundary), then each part."""
    lines = []
    for name, value in mail.items():
        if name.lower() == "date":
            continue
        if name.lower() == "content-type" and mail.is_multipart():
            value = mail.get_content_type()
        lines.append(f"{name}: {value}")
    for part in mail.walk():
        if part.is_multipart():
            lines.append(f"-- {part.get_content_type()}")
            continue
        lines.append(f"-- {part.get_content_type()}; charset={part.get_content_charset()}")
        lines.append(repr(part.get_content()))
    return lines


def _messages(outbox: Path) -> tuple[int, str]:
    mails = []
    for path in outbox.glob("*.eml"):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        mails.append((str(mail["Message-ID"]), _message_lines(mail)))
    mails.sort()
    return len(mails), _digest([line for _, lines in mails for line in ["=" * 8, *lines]])


def _night(folder: Path) -> dict[str, Any]:
    """The windows and the first night's messages of the database in `folder` (its config.toml)."""
    from click.testing import CliRunner

    from jobs.commands import cli
    from jobs.commands.run import run_nightly
    from jobs.config import load_settings

    config = folder / "config.toml"
    done = CliRunner().invoke(
        cli, ["windows", "--config", str(config), "--on", ON.isoformat(), "--all", "--format", "csv"]
    )
    assert done.exit_code == 0, done.output
    windows = done.stdout.splitlines()
    settings = load_settings(config, environ={})
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = run_nightly(settings, ON)
    assert code in (0, 1), code
    count, messages = _messages(settings.resolve(settings.notifier.outbox_dir))
    return {
        "windows_rows": len(windows) - 1,
        "windows": _digest(sorted(windows)),
        "messages_count": count,
        "messages": messages,
    }


def _configure(folder: Path, url: str | None) -> str:
    """The demo's configuration in `folder`, on `url` (a PostgreSQL schema, say) or else on a SQLite file
    there; returns the database's URL."""
    db = folder / "appealwatch.db"
    written = DEMO_CONFIG.format(db=db, config=folder / "config.toml")
    if url is not None:
        sqlite_line = f'url = "sqlite:///{db}"'
        assert sqlite_line in written
        written = written.replace(sqlite_line, f"url = {json.dumps(url)}")
    (folder / "config.toml").write_text(written, encoding="utf-8")
    return url or f"sqlite:///{db}"


def demo_night(folder: Path, url: str | None = None) -> dict[str, Any]:
    from jobs.db import init_db, make_engine
    from jobs.demo_data import generate

    engine = make_engine(_configure(folder, url))
    try:
        init_db(engine)
        with engine.begin() as conn:
            generate(conn, ON, seed=SEED)
    finally:
        engine.dispose()
    return _night(folder)


def synthetic_night(folder: Path, url: str | None = None) -> dict[str, Any]:
    from benchmarks.night import build_database
    from benchmarks.synthetic import history

    build_database(_configure(folder, url), history(SYNTHETIC_DECISIONS, ON, seed=SEED))
    return _night(folder)


NIGHTS = {"demo": demo_night, "synthetic-20k": synthetic_night}


def current() -> dict[str, dict[str, Any]]:
    values = {}
    for name, night in NIGHTS.items():
        with tempfile.TemporaryDirectory() as folder:
            values[name] = night(Path(folder))
    return values


def committed() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def main(argv: list[str]) -> int:
    values = current()
    if "--write" in argv:
        GOLDEN.write_text(json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")
    else:
        print(json.dumps({"current": values, "committed": committed()}, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
