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
import re
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import email_validator

from notifiers.base import OutgoingMessage

__all__ = ["build_email", "clean_text", "mailbox", "normalize_address", "parse_mailbox"]

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


def normalize_address(addr: str) -> str:
    """A validated addr-spec; ``ValueError`` on anything that is not exactly one well-formed address.

    Internationalised domains come back in their ASCII (punycode) form so no SMTPUTF8 is needed for them; only
    a non-ASCII local part stays Unicode (and then needs an SMTPUTF8-capable server).
    """
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
