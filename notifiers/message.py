"""Turn an ``OutgoingMessage`` into a MIME message that cannot be tricked into adding headers or recipients.

Names and subjects come from the fund's database, which we do not control: a beneficiary called
``"Evil\\r\\nBcc: victim@x.example"`` must stay a name. So control characters are collapsed to spaces,
addresses go through ``email_validator``, and header values are always built with ``email.headerregistry``
objects (which quote and RFC 2047-encode as needed), never by pasting strings together.
"""

from __future__ import annotations

import base64
import email.policy
import email.utils
import hashlib
import random
import re
import sys
from datetime import UTC, datetime
from email import base64mime, quoprimime
from email.charset import RFC2047_CHROME_LEN
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

import email_validator

from notifiers.base import OutgoingMessage

__all__ = [
    "build_email",
    "clean_text",
    "email_bytes",
    "mailbox",
    "normalize_address",
    "parse_mailbox",
    "plain_address",
    "sender_mailbox",
]

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators some mail clients treat as newlines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 ftext: printable ASCII except ':'
_MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
# Headers build_email() sets itself, plus the ones that add recipients or senders: extras may not touch them.
_RESERVED = frozenset(
    name.lower()
    for name in (
        "From", "To", "Cc", "Bcc", "Sender", "Reply-To", "Subject", "Date", "Message-ID", "Auto-Submitted",
        "Content-Language", "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Return-Path",
    )
)  # fmt: skip


def clean_text(value: str) -> str:
    """One line of header-safe text.

    Each run of control characters (CR, LF, TAB, NUL...) and spaces becomes one space, and ``=?`` becomes
    ``= ?``: the email package decodes text that looks like an RFC 2047 encoded word *before* writing it out,
    so ``=?utf-8?q?x=0D=0ABcc:_victim@x.example?=`` would come out as a real Bcc header and
    ``=?utf-8?q?a=2C_b@x.example?=`` as a second recipient.
    """
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip().replace("=?", "= ?")


# An address this plain is one email_validator accepts as it is (its `normalized` form is the address itself):
# an ASCII dot-atom local part of the most common characters, a lower-case domain of at least two labels, each
# label letters and digits with single hyphens inside (so no "xn--" or "ab--"), the last label letters only.
# Lengths and special-use names (email_validator.SPECIAL_USE_DOMAIN_NAMES) are checked beside it
# (plain_address). tests/test_validate_fast.py checks that the two agree.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+[a-z]+")
_SPECIAL_USE = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def plain_address(address: str) -> bool:
    """True when ``address`` is plain (``PLAIN_ADDRESS``, within the lengths of RFC 5321, not special-use):
    the address email_validator would give back unchanged, without its full parse."""
    if len(address) > 254 or not PLAIN_ADDRESS.fullmatch(address):
        return False
    local, _, domain = address.rpartition("@")
    return (
        len(local) <= 64
        and len(domain) <= 253
        and all(len(label) <= 63 for label in domain.split("."))
        and not any(domain == name or domain.endswith(f".{name}") for name in _SPECIAL_USE)
    )


def normalize_address(addr: str) -> str:
    """A validated addr-spec; ``ValueError`` on anything that is not exactly one well-formed address.

    Internationalised domains come back in their ASCII (punycode) form so no SMTPUTF8 is needed for them; only
    a non-ASCII local part stays Unicode (and then needs an SMTPUTF8-capable server). A plain address is
    taken as it is (email_validator gives it back unchanged); any other is validated once per process.
    """
    return addr if plain_address(addr) else _validated(addr)


@lru_cache(maxsize=4096)
def _validated(addr: str) -> str:
    try:
        valid = email_validator.validate_email(addr, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"invalid e-mail address {addr!r}: {exc}") from exc
    return valid.ascii_email or valid.normalized


def mailbox(name: str, addr: str) -> Address:
    """A validated ``Address``; the display name cleaned by ``clean_text()``.

    Built from its parts because ``Address(addr_spec=...)`` refuses a non-ASCII local part even where SMTPUTF8
    allows it; ``normalize_address()`` has already checked the address (and allows no quoted ``@``).
    """
    username, _, domain = normalize_address(addr).rpartition("@")
    return Address(display_name=clean_text(name), username=username, domain=domain)


def parse_mailbox(value: str) -> Address:
    """``'Infino <no-reply@infino.example>'`` or a bare address → a validated ``Address``."""
    name, addr = email.utils.parseaddr(value)
    if not addr:
        raise ValueError(f"invalid mailbox {value!r}")
    return mailbox(name, addr)


_DATA_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _inline_images(html: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The HTML with each embedded PNG (`src="data:image/png;base64,..."`) pointing at a cid, and the images."""
    images: list[tuple[str, bytes]] = []

    def to_cid(found: re.Match[str]) -> str:
        cid = f"image{len(images) + 1}.{hashlib.sha256(found[1].encode()).hexdigest()[:16]}@appealwatch"
        images.append((cid, base64.b64decode(found[1])))
        return f'src="cid:{cid}"'

    return _DATA_PNG.sub(to_cid, html), images


def build_email(msg: OutgoingMessage, now: datetime | None = None) -> EmailMessage:
    """The MIME message for ``msg``: text/plain, plus text/html as an alternative when given.

    Raises ``ValueError`` for a malformed address, Message-ID or extra header: such a message can never be
    sent, whatever the channel.
    """
    if not _MESSAGE_ID.fullmatch(msg.message_id):
        raise ValueError(f"invalid Message-ID {msg.message_id!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC)

    sender, to = parse_mailbox(msg.sender), mailbox(msg.to_name, msg.to_addr)
    reply_to = parse_mailbox(msg.reply_to) if msg.reply_to else None
    # A non-ASCII local part cannot be encoded in a header: it needs raw UTF-8 (RFC 6532) and SMTPUTF8.
    utf8 = not all(a.addr_spec.isascii() for a in (sender, to, reply_to) if a is not None)
    mail = EmailMessage(policy=email.policy.SMTPUTF8 if utf8 else email.policy.SMTP)
    mail["From"] = sender
    mail["To"] = to
    if reply_to is not None:
        mail["Reply-To"] = reply_to
    subject = clean_text(msg.subject)
    if utf8 or subject.isascii():
        mail["Subject"] = subject
    else:
        # The policy's folder splits non-ASCII text into encoded words at a space and drops that space (a reader
        # ignores whitespace between encoded words): "Lucía Yılmaz" arrives as "LucíaYılmaz". Header() keeps
        # every space inside an encoded word; set_raw() stores the folded lines (each within 78 characters)
        # as they are, and reading mail["Subject"] still decodes them.
        mail.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))
    mail["Date"] = email.utils.format_datetime(when)
    mail["Message-ID"] = msg.message_id
    # RFC 3834: tells auto-responders (holiday replies) not to answer a machine.
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in msg.headers:
        if not _FIELD_NAME.fullmatch(name) or name.lower() in _RESERVED:
            raise ValueError(f"extra header {name!r} is not allowed")
        mail[name] = clean_text(value)

    # Quoted-printable keeps the body 7-bit, so no relay has to support 8BITMIME, and stays readable.
    mail.set_content(msg.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if msg.html is not None:
        html, images = _inline_images(msg.html)
        mail.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        if images:
            # Outlook and many webmails show no data: images: each travels as a related part, by cid.
            part: Any = mail.get_payload()[-1]  # type: ignore[index]
            for cid, data in images:
                part.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    for attachment in msg.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        mail.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=clean_text(attachment.filename)
        )
    if msg.language:
        # Set last: set_content() and add_alternative() clear or move every Content-* header.
        mail["Content-Language"] = clean_text(msg.language)
    return mail


# -- the same bytes, written directly -------------------------------------------------------------------
#
# build_email() + as_bytes() costs about 3 ms of CPU a message, nearly all of it the email package parsing
# each header it is given and folding it again. email_bytes() writes the common shape (text and html, ASCII
# addresses, no images or attachments) directly: each header is folded by the policy's own code, once per
# distinct value (the sender, the reply-to, the kind, the parts' headers repeat from message to message), and
# the few headers that differ in every message (To, Subject, Message-ID, the boundary) are written as the
# policy writes them where their form makes that certain, and by the policy otherwise.
# tests/test_message_bytes.py holds it to build_email(msg, now).as_bytes(), byte for byte.

_POLICY = email.policy.SMTP
_MAX: int = _POLICY.max_line_length or 78  # 78
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))  # as email.generator draws it
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOT_ATOM = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
_PLAIN_MESSAGE_ID = re.compile(rf"<{_DOT_ATOM}@{_DOT_ATOM}>")
_PLAIN_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")


@lru_cache(maxsize=1024)
def _folded(name: str, value: str) -> bytes:
    """The header as an EmailMessage with the SMTP policy stores and writes it (``msg[name] = value``)."""
    stored = _POLICY.header_store_parse(name, value)[1]
    return _POLICY.fold_binary(name, stored)


@lru_cache(maxsize=1024)
def _folded_mailbox(name: str, display_name: str, username: str, domain: str) -> bytes:
    """An address header as ``msg[name] = Address(...)`` writes it."""
    address = Address(display_name=display_name, username=username, domain=domain)
    return _POLICY.fold_binary(name, _POLICY.header_store_parse(name, address)[1])


def _mailbox_header(name: str, address: Address, repeats: bool) -> bytes:
    line = f"{name}: {address}"
    if (
        not repeats
        and len(line) <= _MAX
        and plain_address(address.addr_spec)
        and (not address.display_name or _ATOMS.fullmatch(address.display_name))
    ):
        return (line + "\r\n").encode(
            "ascii"
        )  # atoms and a plain addr-spec: nothing to quote, encode or fold
    return _folded_mailbox(name, address.display_name, address.username, address.domain)


def _text_header(name: str, value: str) -> bytes:
    line = f"{name}: {value}"
    if len(line) <= _MAX and _PLAIN_TEXT.fullmatch(value) and "=?" not in value:
        return (line + "\r\n").encode("ascii")  # printable ASCII words that fit: written as they are
    stored = _POLICY.header_store_parse(name, value)[1]
    return _POLICY.fold_binary(name, stored)


@lru_cache(maxsize=64)
def _multipart_template(subtype: str) -> tuple[bytes, bytes]:
    """The Content-Type header of a multipart with a placeholder boundary of the generator's shape (its
    folding depends only on that shape), and the placeholder to put the real boundary in place of."""
    placeholder = "=" * 15 + "0" * _BOUNDARY_WIDTH + "=="
    header = _POLICY.fold_binary(
        "Content-Type",
        _POLICY.header_store_parse("Content-Type", f'multipart/{subtype}; boundary="{placeholder}"')[1],
    )
    return header, placeholder.encode("ascii")


def _qp_part(subtype: str, text: str, added: bool) -> bytes:
    """A text part as set_content(text, subtype, charset="utf-8", cte="quoted-printable") and the generator
    write it: headers, a blank line, the body with CRLF line ends. A part that add_alternative() `added`
    carries its own MIME-Version.

    set_content() encodes the body as ``body_encode(b"\\n".join(lines) + b"\\n")``, which encodes each line
    on its own (a soft break never crosses a line end) and ends every line with the line end: so each
    distinct line is encoded once (``_qp_line``), and a template's lines repeat from message to message.
    """
    lines = text.encode("utf-8").splitlines()
    head = _folded("Content-Type", f'text/{subtype}; charset="utf-8"') + _folded(
        "Content-Transfer-Encoding", "quoted-printable"
    )
    if added:
        head += _folded("MIME-Version", "1.0")
    return head + b"\r\n" + b"\r\n".join([_qp_line(line) for line in lines]) + b"\r\n"


@lru_cache(maxsize=8192)
def _qp_line(line: bytes) -> bytes:
    """One line of a body (no line end) as quoted-printable, soft breaks ending in CRLF."""
    return quoprimime.body_encode(line.decode("latin-1"), _MAX, "\r\n").encode("ascii")


# What email.header.Header(subject, "utf-8", header_name="Subject").encode() folds into: lines of at most
# _HEADER_MAX characters, the first after "Subject: ", the others after one space, each an encoded word.
_HEADER_MAX = 78  # email.header.MAXLINELEN, Header's default line length (not in the type stubs)
_CHROME = len("utf-8") + RFC2047_CHROME_LEN  # "=?utf-8?q?" and "?="
_FIRST_WORD = _HEADER_MAX - len("Subject: ") - _CHROME
_NEXT_WORD = _HEADER_MAX - len(" ") - _CHROME
_QP_HEADER_LENGTH = [quoprimime.header_length(bytes([octet])) for octet in range(256)]


def _encoded_subject(subject: str) -> bytes:
    """The Subject header as build_email() writes a non-ASCII one (``Header(...).encode()``, then the
    policy's fold), in linear time.

    Header's splitter (``Charset.header_encode_lines``) picks base64 or Q for the whole text (base64 only
    when strictly shorter), then adds characters to a word while the word's encoded length, re-measured
    from its start after each character, stays within the line: quadratic in the subject's length. Here the
    encoded length grows by each character's own share (Q: 1 or 3 per octet; base64: 4 per 3 octets,
    rounded up), which gives the same splits. ``subject`` is one line (clean_text() takes out every character
    str.splitlines() breaks at), as Header would otherwise fold each line on its own.
    """
    data = subject.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, as Header does
    qp_length = sum(_QP_HEADER_LENGTH[octet] for octet in data)
    base64 = base64mime.header_length(data) < qp_length
    encode = base64mime.header_encode if base64 else quoprimime.header_encode
    words: list[str] = []
    start, used, limit = 0, 0, _FIRST_WORD
    for index, character in enumerate(subject):
        octets = character.encode("utf-8")
        added = len(octets) if base64 else sum(_QP_HEADER_LENGTH[octet] for octet in octets)
        length = (used + added + 2) // 3 * 4 if base64 else used + added
        if length > limit and index > start:
            words.append(encode(subject[start:index].encode("utf-8"), charset="utf-8"))
            start, used, limit = index, added, _NEXT_WORD
        else:
            used += added
    words.append(encode(subject[start:].encode("utf-8"), charset="utf-8"))
    return ("Subject: " + "\r\n ".join(words) + "\r\n").encode("ascii")


def email_bytes(msg: OutgoingMessage, now: datetime | None = None) -> tuple[bytes, bool]:
    """``build_email(msg, now).as_bytes()`` and whether the message needs SMTPUTF8: the same bytes, written
    directly for the common shape (text and html, ASCII addresses, no image, no attachment), else built.

    Raises ``ValueError`` as ``build_email`` does.
    """
    if msg.html is None or msg.attachments or _DATA_PNG.search(msg.html) is not None:
        return _built(msg, now)
    if not _MESSAGE_ID.fullmatch(msg.message_id):
        raise ValueError(f"invalid Message-ID {msg.message_id!r}")
    sender, to = sender_mailbox(msg.sender), mailbox(msg.to_name, msg.to_addr)
    reply_to = sender_mailbox(msg.reply_to) if msg.reply_to else None
    if not all(a.addr_spec.isascii() for a in (sender, to, reply_to) if a is not None):
        return _built(msg, now)
    for name, _value in msg.headers:
        if not _FIELD_NAME.fullmatch(name) or name.lower() in _RESERVED:
            raise ValueError(f"extra header {name!r} is not allowed")
    when = (now or datetime.now(UTC)).astimezone(UTC)

    text_part, html_part = _qp_part("plain", msg.text, False), _qp_part("html", msg.html, True)
    boundary = _boundary(text_part + b"\r\n" + html_part)
    if boundary is None:
        return _built(msg, now)
    head = [_mailbox_header("From", sender, True), _mailbox_header("To", to, False)]
    if reply_to is not None:
        head.append(_mailbox_header("Reply-To", reply_to, True))
    subject = clean_text(msg.subject)
    if subject.isascii():
        head.append(_text_header("Subject", subject))
    else:
        head.append(_encoded_subject(subject))
    head.append(_folded("Date", email.utils.format_datetime(when)))
    if _PLAIN_MESSAGE_ID.fullmatch(msg.message_id) and len(msg.message_id) <= _MAX - len("Message-ID: "):
        head.append(f"Message-ID: {msg.message_id}\r\n".encode("ascii"))
    else:
        head.append(_text_header("Message-ID", msg.message_id))
    head.append(_folded("Auto-Submitted", "auto-generated"))
    head.extend(_folded(name, clean_text(value)) for name, value in msg.headers)
    head.append(_folded("MIME-Version", "1.0"))
    content_type, placeholder = _multipart_template("alternative")
    marker = boundary.encode("ascii")
    head.append(content_type.replace(placeholder, marker))
    if msg.language:
        head.append(_folded("Content-Language", clean_text(msg.language)))
    dash = b"--" + marker
    return (
        b"".join(head)
        + b"\r\n"
        + b"".join((dash, b"\r\n", text_part, b"\r\n", dash, b"\r\n", html_part, b"\r\n", dash, b"--\r\n")),
        False,
    )


@lru_cache(maxsize=64)
def sender_mailbox(value: str) -> Address:
    """parse_mailbox() of a configured sender or reply-to: the same few values in every message."""
    return parse_mailbox(value)


def _boundary(parts: bytes) -> str | None:
    """A boundary drawn as email.generator draws it; None in the rare case that it occurs in the parts (the
    generator would then draw again, differently)."""
    boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_BOUNDARY_WIDTH}d}" + "=="
    return None if ("--" + boundary).encode("ascii") in parts else boundary


def _built(msg: OutgoingMessage, now: datetime | None) -> tuple[bytes, bool]:
    mail = build_email(msg, now)
    return mail.as_bytes(), bool(getattr(mail.policy, "utf8", False))
