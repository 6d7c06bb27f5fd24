"""email_bytes(), the SMTP channel's fast writer, gives exactly the bytes of build_email(msg).as_bytes():
for every message of the demo's first night, for the shapes it hands back to build_email, and for names,
subjects and Message-IDs drawn at random (hostile ones included)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from notifiers.base import Attachment, OutgoingMessage
from notifiers.message import build_email, email_bytes

NOW = datetime(2025, 6, 12, 2, 0, 5, tzinfo=UTC)
BASE = OutgoingMessage(
    message_id="<aw.r.12.arbitration.20250612.b7.s14@infino.example>",
    sender="Infino <no-reply@infino.example>",
    to_name="An Peeters",
    to_addr="an.peeters@example.be",
    subject="Beroep uiterlijk ma 30 november 2026 – An Peeters",
    text="Beste An,\n\nGeschillencommissie — één " + "lange regel " * 20 + "\nTweede regel.\n",
    html="<p>Geschillencommissie — één</p>\n<p>" + "lang " * 40 + "</p>\n",
    reply_to="Advisor 7 <advisor7@infino.example>",
    headers=(("X-Appealwatch-Kind", "reminder"),),
    language="nl",
)


def both(msg: OutgoingMessage) -> tuple[tuple[bytes, bool], tuple[bytes, bool]]:
    """(build_email's bytes and SMTPUTF8 need, email_bytes' ones), the boundary drawn alike."""
    random.seed(11)
    mail = build_email(msg, now=NOW)
    slow = (mail.as_bytes(), bool(getattr(mail.policy, "utf8", False)))
    random.seed(11)
    fast = email_bytes(msg, now=NOW)
    return slow, fast


def test_every_message_of_the_demo_night_is_written_byte_for_byte_as_build_email_writes_it(
    tmp_path: Path,
) -> None:
    from golden import demo_night

    from jobs.db import make_engine
    from jobs.store import messages

    demo_night(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path / 'appealwatch.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(messages)).all()
    finally:
        engine.dispose()
    assert len(rows) > 20
    for row in rows:
        msg = OutgoingMessage(
            message_id=row.message_id,
            sender="Infino <no-reply@infino.example>",
            to_name=row.to_name,
            to_addr=row.to_addr,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            reply_to=row.reply_to,
            headers=(("X-Appealwatch-Kind", row.kind),),
            language=row.language,
        )
        slow, fast = both(msg)
        assert fast == slow, row.message_id


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"reply_to": None},
        {"language": None},
        {"subject": "Uw beroepstermijn loopt af op 26 juni"},
        {"subject": "A plain ASCII subject that is long enough to be folded by the policy, surely, yes"},
        {"subject": "Two  spaces\tand a tab\r\nBcc: victim@x.example"},
        {"subject": "=?utf-8?q?x=0D=0ABcc:_victim@x.example?="},
        {"to_name": ""},
        {"to_name": "J. Peeters-D'hondt (dossier 7)"},
        {"to_name": "Lucía Yılmaz"},
        {"to_name": 'Evil\r\nBcc: victim@x.example "quoted"'},
        {"to_name": "A very long name of a family that will not fit on one header line at all, surely not"},
        {"to_addr": "Jan.Peeters+fund@Mail.Example"},
        {"to_addr": "an@bücher.example"},
        {"to_addr": "lucía@example.be"},
        {"message_id": "<aw-r-12-arbitration-2025-06-12-b7-s14@infino.example>"},
        {"message_id": "<" + "x" * 70 + "@infino.example>"},
        {"html": None},
        {"html": '<img src="data:image/png;base64,iVBORw0KGgo=">'},
        {"attachments": (Attachment("report.xlsx", "application/octet-stream", b"PK\x03\x04"),)},
        {"text": "--===============0000000000000000000==\nline\n", "html": "<p>\u2028x</p>"},
        {"text": "", "html": ""},
        {"text": "no line end", "html": "\n\n\n"},
        # Trailing blanks at each length around the line limit, an escape at each place of a soft break.
        {"text": "".join(f"{'x' * n}{blank}\n" for n in range(74, 82) for blank in " \t")},
        {"html": "".join(f"{'a' * n}{'=é€'[n % 3] * 5}{'b' * 90}\r\n" for n in range(60, 80))},
        {"text": "a\rb\r\nc\x0bd\x0ce\x1cf\x85g\u2028h\n\n", "html": "\t<p>\x00\x7f</p>\t"},
        {"headers": (("X-Appealwatch-Kind", "report\r\nBcc: x@y.example"),)},
        {"sender": '"Infino, dossiers" <no-reply@infino.example>'},
    ],
)
def test_each_shape_gives_the_bytes_build_email_gives(changes: dict[str, object]) -> None:
    slow, fast = both(replace(BASE, **changes))  # type: ignore[arg-type]
    assert fast == slow


@pytest.mark.parametrize(
    "changes",
    [
        {"to_addr": "not an address"},
        {"message_id": "no-angle-brackets@x"},
        {"headers": (("Bcc", "victim@x.example"),)},
        {"sender": "nobody"},
    ],
)
def test_what_build_email_refuses_email_bytes_refuses(changes: dict[str, object]) -> None:
    msg = replace(BASE, **changes)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        build_email(msg, now=NOW)
    with pytest.raises(ValueError):
        email_bytes(msg, now=NOW)


NAME = st.text(st.sampled_from("AaZz09 .-'_\"(),:;<>@=?\t\r\n\u00e9\u0131\u2028!#~"), max_size=90)
LOCAL = st.from_regex(r"[A-Za-z0-9_+-]{1,12}(\.[A-Za-z0-9_+-]{1,8}){0,2}", fullmatch=True)


LONG_SUBJECTS = [
    "Beroep uiterlijk zo 6 december 2026 – Arthur Vermeulen-Van den Broeck de Smet – dossier " * 4,
    "Recours jusqu'au ven. 4 décembre 2026, Lucía Yılmaz — réclamation, médiation, tribunal " * 5,
    "Жалоба до 4 декабря 2026 года — Лусия Йылмаз, пособие на ребёнка, семейные выплаты " * 3,  # base64
    "خالد العتيبي — الطعن قبل ٤ ديسمبر ٢٠٢٦ " * 6,
    "申诉截止日期 2026年12月4日 — 家庭补助 " * 8,
    "Einspruch bis Fr. 4. Dezember 2026 – Jürgen Müller 😀🎉 " * 6,  # 4-octet characters
    "é" * 200,
    "a" * 56 + "é",  # the accent is what does not fit on the first line
    "€" + "x" * 300,
]


@pytest.mark.parametrize("subject", LONG_SUBJECTS)
def test_long_non_ascii_subjects_are_folded_into_the_same_encoded_words(subject: str) -> None:
    slow, fast = both(replace(BASE, subject=subject))
    assert fast == slow
    assert len(slow[0].split(b"\r\n\r\n", 1)[0].split(b"\r\nSubject: ", 1)[1].split(b"\r\n ")) > 1


@settings(max_examples=300, deadline=None)
@given(
    subject=st.text(
        st.sampled_from("Ab z9 .,:;-_=?()'\"\t\u00e9\u00fc\u0131\u2013\u20ac\u0416\u062e\u7533\U0001f600"),
        min_size=1,
        max_size=400,
    )
)
def test_random_long_subjects_of_every_script_give_the_same_bytes(subject: str) -> None:
    slow, fast = both(replace(BASE, subject=subject))
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(
    name=NAME,
    subject=st.text(st.sampled_from("Ab z9 .:-=?\t\u00e9\u2013"), max_size=120),
    local=LOCAL,
    message_left=st.from_regex(r"[A-Za-z0-9._+-]{1,80}", fullmatch=True),
)
def test_random_names_subjects_and_ids_give_the_same_bytes(
    name: str, subject: str, local: str, message_left: str
) -> None:
    msg = replace(
        BASE,
        to_name=name,
        subject=subject,
        to_addr=f"{local}@mail.example",
        message_id=f"<{message_left}@infino.example>",
    )
    try:
        random.seed(11)
        mail = build_email(msg, now=NOW)
    except ValueError:
        with pytest.raises(ValueError):
            email_bytes(msg, now=NOW)
        return
    slow = (mail.as_bytes(), False)
    random.seed(11)
    assert email_bytes(msg, now=NOW) == slow
