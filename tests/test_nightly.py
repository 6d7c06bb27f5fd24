"""The nightly run over many nights: exactly the stages the rules give, once, to the right people.

The expected stages below are worked out by hand from shared/domain.md ("Reminders") and the counting rules,
not read from the engine: each comment shows the arithmetic.
"""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jobs.commands.run import run_nightly
from jobs.config import Settings, load_settings
from jobs.store import messages, reminders

import builders as b

FIRST = date(2025, 3, 3)  # a Monday; the job runs on 45 consecutive days from here
DAYS = [FIRST + timedelta(days=i) for i in range(45)]


def settings_for(tmp_path: Path, url: str, extra: str = "") -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[notifier]\nkind = "file"\noutbox_dir = "outbox"\n'
        f'[report]\nout_dir = "reports"\n{extra}',
        encoding="utf-8",
    )
    return load_settings(path, environ={})


def crafted(engine: Engine) -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.advisor(conn, 2, "Wim Claes", None)
        b.beneficiary(conn, 1, "Els Maes", "els.maes@mail.example", "nl", advisor_id=1)
        b.beneficiary(conn, 2, "Camille Dubois", None, "fr", advisor_id=1)
        b.beneficiary(conn, 3, "Lukas Schmitz", "lukas@mail.example", "de", advisor_id=None)
        b.beneficiary(conn, 4, "Chinedu Okafor", "chinedu@mail.example", "en", advisor_id=2)
        # care_allowance: labour court, 3 months from notification, safe = notified + 3 months.
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # safe 2025-03-20
        b.decision(conn, 2, 1, "care_allowance", date(2025, 1, 10))  # safe 2025-04-10
        b.decision(conn, 3, 3, "care_allowance", date(2024, 12, 5))  # safe 2025-03-05
        b.decision(conn, 4, 2, "care_allowance", date(2024, 12, 25))  # safe 2025-03-25
        b.decision(conn, 5, 4, "care_allowance", date(2025, 1, 15))  # safe 2025-04-15
        b.decision(conn, 6, 1, "care_allowance", date(2024, 12, 28))  # safe 2025-03-28, but appealed
        b.appeal(conn, 6, "labour_court", date(2025, 2, 1))
        # payment (arbitration): informed 2024-12-09, third day 12-12, safe 2025-03-12 minus one = 2025-03-11.
        # A complaint filed 2025-03-05 interrupts it; closed 03-06, a new term runs from 03-09 (third day
        # after), safe 2025-06-08: far beyond these 45 days.
        b.decision(conn, 7, 1, "payment", date(2024, 12, 9), decided_on=date(2024, 12, 6))
        b.complaint(conn, 7, date(2025, 3, 5), date(2025, 3, 6))


# (decision, recipient kind, recipient id, stage) -> (the night it is recorded, its ledger status)
EXPECTED = {
    # d1, safe 03-20: on 03-03 days_left 17, only stage 30 due: sent. 14 on 03-06, 7 on 03-13, 2 on 03-18.
    (1, "beneficiary", 1, 30): (date(2025, 3, 3), "queued"),
    (1, "beneficiary", 1, 14): (date(2025, 3, 6), "queued"),
    (1, "beneficiary", 1, 7): (date(2025, 3, 13), "queued"),
    (1, "beneficiary", 1, 2): (date(2025, 3, 18), "queued"),
    (1, "advisor", 1, 14): (date(2025, 3, 6), "queued"),
    (1, "advisor", 1, 3): (date(2025, 3, 17), "queued"),
    # d2, safe 04-10: 30 on 03-11, 14 on 03-27, 7 on 04-03, 2 on 04-08; advisor 14 on 03-27, 3 on 04-07.
    (2, "beneficiary", 1, 30): (date(2025, 3, 11), "queued"),
    (2, "beneficiary", 1, 14): (date(2025, 3, 27), "queued"),
    (2, "beneficiary", 1, 7): (date(2025, 4, 3), "queued"),
    (2, "beneficiary", 1, 2): (date(2025, 4, 8), "queued"),
    (2, "advisor", 1, 14): (date(2025, 3, 27), "queued"),
    (2, "advisor", 1, 3): (date(2025, 4, 7), "queued"),
    # d3, safe 03-05, first run 03-03 (days_left 2): all four due at once, only 2 is sent. No advisor.
    (3, "beneficiary", 3, 30): (date(2025, 3, 3), "skipped"),
    (3, "beneficiary", 3, 14): (date(2025, 3, 3), "skipped"),
    (3, "beneficiary", 3, 7): (date(2025, 3, 3), "skipped"),
    (3, "beneficiary", 3, 2): (date(2025, 3, 3), "queued"),
    # d4, safe 03-25, beneficiary without e-mail: each stage is recorded unreachable (-> advisor's digest).
    (4, "beneficiary", 2, 30): (date(2025, 3, 3), "unreachable"),
    (4, "beneficiary", 2, 14): (date(2025, 3, 11), "unreachable"),
    (4, "beneficiary", 2, 7): (date(2025, 3, 18), "unreachable"),
    (4, "beneficiary", 2, 2): (date(2025, 3, 23), "unreachable"),
    (4, "advisor", 1, 14): (date(2025, 3, 11), "queued"),
    (4, "advisor", 1, 3): (date(2025, 3, 22), "queued"),
    # d5, safe 04-15: 30 on 03-16, 14 on 04-01, 7 on 04-08, 2 on 04-13; its advisor has no e-mail.
    (5, "beneficiary", 4, 30): (date(2025, 3, 16), "queued"),
    (5, "beneficiary", 4, 14): (date(2025, 4, 1), "queued"),
    (5, "beneficiary", 4, 7): (date(2025, 4, 8), "queued"),
    (5, "beneficiary", 4, 2): (date(2025, 4, 13), "queued"),
    (5, "advisor", 2, 14): (date(2025, 4, 1), "unreachable"),
    (5, "advisor", 2, 3): (date(2025, 4, 12), "unreachable"),
    # d7, safe 03-11: on 03-03 days_left 8: 14 sent, 30 skipped; advisor 14 sent; 7 on 03-04; from 03-05
    # the complaint interrupts (no reminders), and the restarted term's stages lie beyond these 45 days.
    (7, "beneficiary", 1, 30): (date(2025, 3, 3), "skipped"),
    (7, "beneficiary", 1, 14): (date(2025, 3, 3), "queued"),
    (7, "beneficiary", 1, 7): (date(2025, 3, 4), "queued"),
    (7, "advisor", 1, 14): (date(2025, 3, 3), "queued"),
}


def ledger(engine: Engine) -> dict[tuple[int, str, int, int], tuple[date, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                reminders.c.decision_id,
                reminders.c.recipient_kind,
                reminders.c.recipient_id,
                reminders.c.stage,
                reminders.c.due_on,
                reminders.c.status,
            )
        ).all()
    return {(r[0], r[1], r[2], r[3]): (_day(r[4]), r[5]) for r in rows}


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def outbox(settings: Settings) -> list[email.message.EmailMessage]:
    folder = settings.resolve(settings.notifier.outbox_dir)
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


@pytest.mark.slow
def test_45_nights_send_exactly_the_stages_the_rules_give_and_nothing_on_a_rerun(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, db_url)
    crafted(db_engine)
    files_per_night = {}
    for day in DAYS:
        assert run_nightly(settings, day) == 0
        after_first = len(outbox(settings))
        known = ledger(db_engine)
        assert run_nightly(settings, day) == 0  # a second run the same night
        assert len(outbox(settings)) == after_first, f"a rerun on {day} sent again"
        assert ledger(db_engine) == known, f"a rerun on {day} recorded again"
        files_per_night[day] = after_first

    assert ledger(db_engine) == EXPECTED

    mails = outbox(settings)
    by_id = {m["Message-ID"]: m for m in mails}
    assert len(by_id) == len(mails), "one file per message"
    with db_engine.connect() as conn:
        rows = conn.execute(select(messages.c.message_id, messages.c.status, messages.c.kind)).all()
    assert {r.message_id for r in rows} == set(by_id)
    assert all(r.status == "sent" for r in rows)

    # Beneficiary mails: one per queued beneficiary stage, to the right address, in the right language.
    reminders_sent = [m for m in mails if m["X-Appealwatch-Kind"] == "reminder"]
    queued = [k for k, (_d, s) in EXPECTED.items() if k[1] == "beneficiary" and s == "queued"]
    assert len(reminders_sent) == len(queued)
    to = sorted(str(m["To"].addresses[0].addr_spec) for m in reminders_sent)
    assert to.count("els.maes@mail.example") == 10
    assert to.count("lukas@mail.example") == 1
    assert to.count("chinedu@mail.example") == 4
    languages = {m["To"].addresses[0].addr_spec: m["Content-Language"] for m in reminders_sent}
    assert languages == {
        "els.maes@mail.example": "nl",
        "lukas@mail.example": "de",
        "chinedu@mail.example": "en",
    }

    # Advisor digests: one per advisor per night that has something, never to the advisor without e-mail.
    digests = [m for m in mails if m["X-Appealwatch-Kind"] == "digest"]
    assert {m["To"].addresses[0].addr_spec for m in digests} == {"an.peeters@infino.example"}
    nights_with_something = {
        d
        for k, (d, s) in EXPECTED.items()
        if (k[1] == "advisor" and k[2] == 1) or (k[0] == 4 and k[1] == "beneficiary")
    }
    assert len(digests) == len(nights_with_something)
    # Camille Dubois has no e-mail: on each of her four stages her advisor's digest lists her, for a letter
    # or a call (she also appears among the ordinary items on the advisor's own stages of her decision).
    # The digest has one block per family ("== name =="); hers says decision 4 and that she is to be called.
    blocks = [
        m.get_body(("plain",)).get_content().partition("== Camille Dubois ==")[2].partition("\n== ")[0]  # type: ignore[union-attr]
        for m in digests
    ]
    assert sum("Beslissing 4," in s and "Gezin: geen e-mailadres. Graag bellen" in s for s in blocks) == 4


def test_a_dry_run_prints_what_it_would_send_and_records_nothing(
    db_engine: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path, db_url)
    crafted(db_engine)
    assert run_nightly(settings, FIRST, dry_run=True) == 0
    out = capsys.readouterr().out
    assert (
        "would send reminder  to beneficiary 1 <els.maes@mail.example> [nl] decision 1 labour_court deadline 2025-03-20 stage 30d"
        in out
    )
    assert "would skip stage 30d of decision 3" in out
    assert "no usable e-mail" in out and "decision 4" in out
    assert ledger(db_engine) == {}
    assert not settings.resolve("outbox").exists()
    with db_engine.connect() as conn:
        assert conn.execute(select(messages.c.id)).first() is None
