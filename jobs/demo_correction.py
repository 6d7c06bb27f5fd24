"""The demo's correction: two families (one Dutch-, one French-speaking) who were sent a reminder on an earlier
night, before a complaint was recorded late that moves their deadline earlier. Tonight's run then sends each
of them one correction notice (jobs.corrections).

The demo database starts empty and runs one night, so the earlier night's reminder is *seeded* into the
ledger and the outbox, marked as such: its message is `sent`, with the answer "seeded by the demo" and a body
that says it stands for an earlier night's reminder. Nothing else of the demo is touched (its data comes from
jobs.demo_data, drawn from its own random generator before this runs).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, Date, bindparam, func, select, text

from jobs.outbox.ids import message_domain, reminder_message_id
from jobs.store import messages, reminders

FAMILIES = (
    ("Griet Van Acker", "griet.vanacker@mail.example", "nl"),
    ("Julie Renard", "julie.renard@mail.example", "fr"),
)


def seed_a_correction(conn: Connection, on: date, sender: str) -> list[int]:
    """Add the two families, their decisions and late complaints, and the reminder an earlier night sent
    them; returns the decision ids. The caller commits."""
    # A payment decision without the appeal information (art. 89): its arbitration term starts four months
    # after notification, so X = notified + 7 months - 1 day; chosen 20 days after `on`.
    notified = on + timedelta(days=21) - relativedelta(months=7)
    old = notified + relativedelta(months=7) - timedelta(days=1)
    sent_on = old - timedelta(days=30)  # the 30-day stage went out that night
    # The complaint, filed and closed months ago, recorded only now: a new term from its closing, earlier.
    filed, closed = notified + relativedelta(months=3, days=1), notified + relativedelta(months=3, days=20)
    advisor_id = conn.execute(text("SELECT min(id) FROM advisors WHERE email IS NOT NULL")).scalar_one()
    next_person = int(conn.execute(text("SELECT max(id) FROM beneficiaries")).scalar_one() or 0) + 1
    next_decision = int(conn.execute(text("SELECT max(id) FROM decisions")).scalar_one() or 0) + 1
    domain = message_domain(sender)
    ids = []
    for i, (name, address, lang) in enumerate(FAMILIES):
        person, decision = next_person + i, next_decision + i
        conn.execute(
            text("INSERT INTO beneficiaries (id, full_name, email, language, judicial_district, advisor_id) "
                 "VALUES (:i, :n, :e, :l, :d, :a)"),
            {"i": person, "n": name, "e": address, "l": lang, "d": "Gent" if lang == "nl" else "Bruxelles",
             "a": advisor_id},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO decisions (id, beneficiary_id, kind, decided_on, period_start, notified_on, "
                 "appeal_info_complete) VALUES (:i, :b, 'payment', :d, :d, :n, :c)")
            .bindparams(bindparam("d", type_=Date()), bindparam("n", type_=Date())),
            {"i": decision, "b": person, "d": notified - timedelta(days=3), "n": notified, "c": False},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO complaints (decision_id, filed_on, closed_on) VALUES (:d, :f, :c)").bindparams(
                bindparam("f", type_=Date()), bindparam("c", type_=Date())
            ),
            {"d": decision, "f": filed, "c": closed},
        )
        key = {"decision_id": decision, "forum": "arbitration", "safe_deadline": old,
               "recipient_kind": "beneficiary", "recipient_id": person, "stage": 30}  # fmt: skip
        at = datetime.combine(sent_on, time(2, 5), tzinfo=UTC)
        pk = conn.execute(
            messages.insert().values(
                message_id=reminder_message_id(key, domain), kind="reminder", recipient_kind="beneficiary",
                recipient_id=person, to_name=name, to_addr=address, language=lang,
                subject=f"(seeded by the demo) reminder: appeal by {old.isoformat()}",
                body_text=f"Seeded by the demo: stands for the reminder of the night of {sent_on}, which quoted "
                f"the safe deadline {old.isoformat()}.\n",
                body_html=None, status="sent", not_after=old, attempts=1, sent_at=at,
                last_answer="seeded by the demo", created_at=at, channel="email",
            ).returning(messages.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            reminders.insert().values(**key, status="queued", detail="seeded by the demo", due_on=sent_on,
                                      message_pk=pk, created_at=at)
        )  # fmt: skip
        ids.append(decision)
    assert conn.execute(select(func.count()).select_from(reminders)).scalar_one() == len(FAMILIES)
    return ids
