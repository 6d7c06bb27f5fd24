"""Channels per message: the notifier registry is the one list of channels the configuration accepts, each
notifier brings its settings and its channel, the outbox records the channel of each message, and an existing
outbox keeps its messages through the migration that adds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, Table, insert, select, text, update
from test_cli import appealwatch
from test_delivery import ON, families, outbox_rows, smtp_config

from jobs.commands.deliver import deliver_pending
from jobs.commands.run import run_nightly
from jobs.config import Settings, load_settings
from jobs.db import _alembic_config, init_db
from jobs.store import VERSION_TABLE, attempts, messages, metadata, reminders, runs
from notifiers import CHANNELS, NOTIFIERS
from notifiers.settings import ChannelSettings

from conftest import Database
from smtp_server import SmtpTestServer, free_port


def _held_by_an_outage(database: Database, tmp_path: Path, count: int = 1) -> None:
    """`count` reminders planned tonight and left pending in the outbox: the relay was down."""
    families(database.engine, count)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["pending"] * count


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {
            t.name: [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]
            for t in (runs, messages, reminders, attempts)
        }


def _rebuild_at_0001(engine: Engine, saved: dict[str, list[dict[str, Any]]]) -> None:
    """Our tables as migration 0001 built them (no channel, no CHECK constraints), holding `saved` rows."""
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text(f"DROP TABLE {VERSION_TABLE}"))
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        old = MetaData()
        assert "channel" not in {c.name for c in Table("aw_messages", old, autoload_with=conn).columns}
        for name in ("aw_runs", "aw_messages", "aw_reminders", "aw_attempts"):
            table = Table(name, old, autoload_with=conn)
            rows = [{k: v for k, v in row.items() if k in table.c} for row in saved[name]]
            if rows:
                conn.execute(insert(table), rows)
            if conn.dialect.name == "postgresql":  # ids were given: move the sequence past them
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}")
                )


def test_an_outbox_at_the_previous_migration_upgrades_keeping_its_messages_which_then_go_out_once(
    database: Database, tmp_path: Path
) -> None:
    _held_by_an_outage(database, tmp_path, 2)
    before = _rows(database.engine)
    _rebuild_at_0001(database.engine, before)

    assert init_db(database.engine) == []  # what `appealwatch init-db` does

    after = _rows(database.engine)
    with database.engine.connect() as conn:
        assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one() == "0005"
    assert [m["channel"] for m in after["aw_messages"]] == ["email", "email"]
    for name in ("aw_runs", "aw_messages", "aw_reminders", "aw_attempts"):  # aw_corrections: new in 0003
        assert len(after[name]) == len(before[name]) > 0, name
    keep = ("message_id", "status", "to_addr", "subject", "body_text", "not_after", "attempts")
    assert [{k: m[k] for k in keep} for m in after["aw_messages"]] == [
        {k: m[k] for k in keep} for m in before["aw_messages"]
    ]
    assert [r["message_pk"] for r in after["aw_reminders"]] == [
        r["message_pk"] for r in before["aw_reminders"]
    ]
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, ON) == 0
        assert deliver_pending(up, ON) == 0
        assert sorted(m.message["Message-ID"] for m in server.messages) == sorted(
            m["message_id"] for m in before["aw_messages"]
        )
    assert [s for _m, s, _a in outbox_rows(database.engine)] == ["sent", "sent"]


def test_every_message_a_night_queues_is_on_the_email_channel(database: Database, tmp_path: Path) -> None:
    _held_by_an_outage(database, tmp_path, 2)
    with database.engine.connect() as conn:
        assert set(conn.execute(select(messages.c.channel)).scalars()) == {"email"}


def test_delivery_sends_only_the_messages_of_the_configured_notifiers_channel(
    database: Database, tmp_path: Path
) -> None:
    """A message on a channel no configured notifier serves (a letter, once there is one) waits untouched."""
    _held_by_an_outage(database, tmp_path, 2)
    first, second = [m for m, _s, _a in outbox_rows(database.engine)]
    with database.engine.begin() as conn:
        conn.execute(update(messages).where(messages.c.message_id == second).values(channel="letter"))
    with SmtpTestServer() as server:
        up = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert deliver_pending(up, ON) == 1, "one message still waits"
        assert [m.message["Message-ID"] for m in server.messages] == [first]
    assert [(m, s) for m, s, _a in outbox_rows(database.engine)] == [(first, "sent"), (second, "pending")]


def test_an_unknown_notifier_kind_stops_the_run_at_start_listing_the_known_kinds(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[notifier]\nkind = "pigeon"\n', encoding="utf-8")
    done = appealwatch("run", cwd=tmp_path)
    assert done.returncode == 2
    assert "notifier.kind" in done.stderr and "'file' or 'smtp'" in done.stderr and "pigeon" in done.stderr


@pytest.mark.parametrize("kind", sorted(NOTIFIERS))
def test_every_registered_notifier_has_a_channel_and_its_settings_in_a_config_section(kind: str) -> None:
    cls = NOTIFIERS[kind]
    assert cls.channel in CHANNELS
    section = Settings.model_fields[cls.section].annotation
    assert isinstance(section, type) and issubclass(section, ChannelSettings)
    built = cls.from_settings(getattr(Settings(), cls.section), Path, "")
    assert isinstance(built, cls)


def test_both_notifiers_of_today_write_e_mails() -> None:
    assert {cls.channel for cls in NOTIFIERS.values()} == CHANNELS == {"email"}


def test_the_notifiers_import_nothing_of_jobs() -> None:
    code = "import sys, notifiers, notifiers.smtp, notifiers.file; print(sorted(m for m in sys.modules if m.split('.')[0] == 'jobs'))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
