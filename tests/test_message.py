"""build_email(): the MIME shape, and that names and subjects from the database can never add headers."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifiers.base import OutgoingMessage
from notifiers.message import build_email, clean_text, normalize_address

NOW = datetime(2025, 6, 12, 2, 0, 5, tzinfo=UTC)
MESSAGE = OutgoingMessage(
    message_id="<aw-r-12-arbitration-2025-06-12-b7-s14@infino.example>",
    sender="Infino <no-reply@infino.example>",
    to_name="An Peeters",
    to_addr="an.peeters@example.be",
    subject="Uw beroepstermijn loopt af op 26 juni",
    text="Geschillencommissie — één\nTweede regel.\n",
    html="<p>Geschillencommissie — één</p>\n",
    reply_to="Infino dossierbeheer <dossier@infino.example>",
    headers=(("X-Appealwatch-Key", "r-12/arbitration/2025-06-12/b7/s14"),),
    language="nl",
)


EXPECTED_HEADERS = sorted(
    [
        "From", "To", "Reply-To", "Subject", "Date", "Message-ID", "Auto-Submitted", "X-Appealwatch-Key",
        "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Content-Language",
    ]
)  # fmt: skip
"""The header fields of a text-only MESSAGE."""


def roundtrip(msg: OutgoingMessage) -> tuple[bytes, EmailMessage]:
    raw = build_email(msg, now=NOW).as_bytes()
    # From a string: the bytes parser does not decode raw UTF-8 headers (RFC 6532), the string parser does.
    parsed = email.message_from_string(raw.decode("utf-8"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return raw, parsed


def body(part: MIMEPart) -> str:
    """A text part's content with the wire's CRLF line ends turned back into Python's newlines."""
    return str(part.get_content()).replace("\r\n", "\n")


def header_names(raw: bytes) -> list[str]:
    """The names of the top-level header fields, straight from the bytes (continuation lines skipped)."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    return [line.split(b":", 1)[0].decode() for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")]


def test_it_builds_multipart_alternative_with_text_first() -> None:
    _, parsed = roundtrip(MESSAGE)
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert text.get_content_charset() == "utf-8"
    assert body(text) == MESSAGE.text
    assert body(html) == MESSAGE.html


def test_it_sends_a_single_text_part_without_html() -> None:
    _, parsed = roundtrip(replace(MESSAGE, html=None))
    assert parsed.get_content_type() == "text/plain"
    assert body(parsed) == MESSAGE.text


def test_it_sets_the_headers() -> None:
    _, parsed = roundtrip(MESSAGE)
    assert parsed["From"].addresses[0].addr_spec == "no-reply@infino.example"
    assert parsed["From"].addresses[0].display_name == "Infino"
    assert str(parsed["To"]) == "An Peeters <an.peeters@example.be>"
    assert parsed["Subject"] == MESSAGE.subject
    assert parsed["Date"] == "Thu, 12 Jun 2025 02:00:05 +0000"
    assert parsed["Message-ID"] == MESSAGE.message_id
    assert parsed["Reply-To"].addresses[0].addr_spec == "dossier@infino.example"
    assert parsed["Content-Language"] == "nl"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Appealwatch-Key"] == "r-12/arbitration/2025-06-12/b7/s14"


def test_it_uses_crlf_and_seven_bit_only_for_ascii_addresses() -> None:
    raw, _ = roundtrip(MESSAGE)
    assert raw.isascii()  # RFC 2047 headers and quoted-printable bodies: no relay needs 8BITMIME
    assert b"\n" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize("to_addr", ["an.peeters@example.be", "jösé@example.be"])  # RFC 2047 or raw UTF-8
def test_a_name_cannot_add_a_bcc_header(to_addr: str) -> None:
    raw, parsed = roundtrip(replace(MESSAGE, to_name="Evil\r\nBcc: victim@x.example", to_addr=to_addr))
    assert "Bcc" not in parsed
    assert "Bcc" not in header_names(raw)
    assert [a.addr_spec for a in parsed["To"].addresses] == [to_addr]
    assert parsed["To"].addresses[0].display_name == "Evil Bcc: victim@x.example"


def test_a_non_ascii_local_part_switches_to_raw_utf8_headers() -> None:
    mail = build_email(replace(MESSAGE, to_addr="jösé@example.be", to_name="Jösé"), now=NOW)
    assert isinstance(mail.policy, EmailPolicy) and mail.policy.utf8
    assert "To: Jösé <jösé@example.be>" in mail.as_bytes().decode("utf-8")


@pytest.mark.parametrize(
    "name",
    [
        'Müller, "Jos" <x>',
        "Peeters, An",
        "a@b.example, c@d.example",
        "<victim@x.example>",
        "Zoë \\ O'Brien; (note)",
    ],
)
def test_a_name_with_specials_round_trips_with_one_recipient(name: str) -> None:
    _, parsed = roundtrip(replace(MESSAGE, to_name=name))
    [address] = parsed["To"].addresses
    assert address.addr_spec == "an.peeters@example.be"
    assert address.display_name == name


@pytest.mark.parametrize(
    "text",
    [
        "=?utf-8?q?x=2C_y_=3Cvictim=40x=2Eexample=3E?=",  # decodes to a second recipient
        "a =?utf-8?q?x=0D=0ABcc:_victim@x.example?= b",  # decodes to a Bcc header
        "=?utf-8?b?eA0KQmNjOiB2aWN0aW1AeC5leGFtcGxl?=",  # the same, base64
        '"=?utf-8?q?x=2C_y_=3Cvictim=40x=2Eexample=3E?="',
    ],
)
def test_text_that_looks_like_an_encoded_word_is_not_decoded_into_headers(text: str) -> None:
    # The email package decodes such text before it writes the header out: a bypass of the CR/LF stripping.
    raw, parsed = roundtrip(
        replace(MESSAGE, to_name=text, subject=text, headers=(("X-Appealwatch-Key", text),), html=None)
    )
    assert sorted(header_names(raw)) == EXPECTED_HEADERS
    assert [a.addr_spec for a in parsed["To"].addresses] == ["an.peeters@example.be"]
    assert parsed["Subject"] == parsed["X-Appealwatch-Key"] == clean_text(text)  # shown as typed, not decoded
    assert parsed["To"].addresses[0].display_name == clean_text(text)


@pytest.mark.parametrize(
    "subject",
    [
        "Termijn\r\nBcc: victim@x.example",
        "Termijn\nX-Evil: 1",
        "Termijn\rX-Evil: 1",
        "Termijn\u2028X-Evil: 1",
        "Termijn\x00\x1b\x85X-Evil: 1",
        "Herinnering — één\r\n\r\nbody injection",
    ],
)
def test_a_subject_with_newlines_stays_one_header(subject: str) -> None:
    raw, parsed = roundtrip(replace(MESSAGE, subject=subject))
    assert header_names(raw).count("Subject") == 1
    assert "X-Evil" not in parsed and "Bcc" not in parsed
    assert parsed["Subject"] == clean_text(subject)
    assert parsed.get_content_type() == "multipart/alternative"


def test_it_rfc2047_encodes_non_ascii_names_and_subjects() -> None:
    raw, parsed = roundtrip(replace(MESSAGE, to_name="Jürgen Österreicher", subject="Één termijn"))
    assert b"=?utf-8?" in raw
    assert parsed["To"].addresses[0].display_name == "Jürgen Österreicher"
    assert parsed["Subject"] == "Één termijn"


@pytest.mark.parametrize("pad", range(0, 64, 3))
def test_a_long_non_ascii_subject_keeps_its_spaces_when_folded(pad: int) -> None:
    """Folded into several encoded words, the space between two of them must survive (not "LucíaYılmaz")."""
    subject = f"Recours urgent jusqu'au {'x' * pad}mercredi 1 décembre 2026, Lucía Yılmaz"
    raw = build_email(replace(MESSAGE, subject=subject), now=NOW).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))


@pytest.mark.parametrize(
    "addr",
    [
        "",
        "an.peeters",
        "an peeters@example.be",
        "an@example.be\r\nBcc: victim@x.example",
        "an@example.be, victim@x.example",
        "An <an@example.be>",
        "an@@example.be",
        "an@localhost",
    ],
)
def test_it_rejects_a_malformed_recipient(addr: str) -> None:
    with pytest.raises(ValueError):
        build_email(replace(MESSAGE, to_addr=addr), now=NOW)


def test_it_rejects_a_malformed_sender() -> None:
    with pytest.raises(ValueError):
        build_email(replace(MESSAGE, sender="Infino <no-reply>"), now=NOW)


@pytest.mark.parametrize(
    ("addr", "expected"),
    [
        ("an.peeters@example.be", "an.peeters@example.be"),
        ("An.Peeters@Example.BE", "An.Peeters@example.be"),
        ("jos@müller.be", "jos@xn--mller-kva.be"),
        ("jösé@example.be", "jösé@example.be"),
    ],
)
def test_normalize_address(addr: str, expected: str) -> None:
    assert normalize_address(addr) == expected


@pytest.mark.parametrize("name", ["Bcc", "to", "CC", "From", "Message-ID", "Subject", "X Bad", "X:Bad", ""])
def test_extra_headers_cannot_replace_or_add_addressing_headers(name: str) -> None:
    with pytest.raises(ValueError):
        build_email(replace(MESSAGE, headers=((name, "victim@x.example"),)), now=NOW)


def test_an_extra_header_value_with_newlines_stays_one_header() -> None:
    _, parsed = roundtrip(replace(MESSAGE, headers=(("X-Appealwatch-Key", "k\r\nBcc: victim@x.example"),)))
    assert "Bcc" not in parsed
    assert parsed["X-Appealwatch-Key"] == "k Bcc: victim@x.example"


@pytest.mark.parametrize("message_id", ["", "aw-1@infino.example", "<aw 1@infino.example>", "<a>\r\nBcc: x"])
def test_it_rejects_a_malformed_message_id(message_id: str) -> None:
    with pytest.raises(ValueError):
        build_email(replace(MESSAGE, message_id=message_id), now=NOW)


# Text built to look like headers, addresses and encoded words, mixed with anything at all.
HOSTILE = st.text(alphabet='=?qQbB_uft8-:<>@,;"\\() xX\r\n\t\x00\u2028\u0085éü€', max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    name=st.one_of(st.text(max_size=60), HOSTILE),
    subject=st.one_of(st.text(max_size=120), HOSTILE),
    to_addr=st.sampled_from(["an.peeters@example.be", "jösé@example.be"]),
)
def test_no_name_or_subject_adds_a_header_or_recipient(name: str, subject: str, to_addr: str) -> None:
    raw, parsed = roundtrip(replace(MESSAGE, to_name=name, subject=subject, to_addr=to_addr, html=None))
    assert sorted(header_names(raw)) == EXPECTED_HEADERS
    [address] = parsed["To"].addresses
    assert address.addr_spec == to_addr
    # Whitespace aside: the stdlib parser puts a space between two adjacent encoded words in a display name
    # (RFC 2047 says to drop it); what we send is right, and a space is no injection.
    assert address.display_name.replace(" ", "") == clean_text(name).replace(" ", "")
    assert parsed["Subject"].replace(" ", "") == clean_text(subject).replace(" ", "")
