"""SmtpNotifier against a real SMTP server (aiosmtpd) on loopback: no smtplib mocks."""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from notifiers import OutgoingMessage, SmtpNotifier, TransportError
from tests.smtp_server import (
    SmtpTestServer,
    answer_times,
    drop_times,
    free_port,
    refuse_recipient,
    silent_port,
)

# aiosmtpd cannot tell that implicit TLS is TLS and warns when AUTH is allowed "without" it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

MESSAGE = OutgoingMessage(
    message_id="<aw-r-12-arbitration-2025-06-12-b7-s14@infino.example>",
    sender="Infino <no-reply@infino.example>",
    to_name="An Peeters",
    to_addr="an.peeters@example.be",
    subject="Uw beroepstermijn loopt af — één week",
    text="Geschillencommissie — één\n",
    html="<p>Geschillencommissie — één</p>\n",
    headers=(("X-Appealwatch-Key", "r-12/arbitration/2025-06-12/b7/s14"),),
    language="nl",
)


def numbered(n: int, **changes: Any) -> OutgoingMessage:
    return replace(MESSAGE, message_id=f"<aw-{n}@infino.example>", **changes)


@pytest.fixture(autouse=True, params=[False, True], ids=["one-by-one", "pipelined"])
def pipelining(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test twice: against a server without PIPELINING (smtplib's sendmail, four round trips a
    message) and one with it (MAIL, RCPT and DATA in one write): the outcomes must not differ."""
    monkeypatch.setattr(SmtpTestServer, "pipelining_by_default", request.param)
    return bool(request.param)


@pytest.fixture
def server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


def test_it_delivers_a_multipart_message(server: SmtpTestServer) -> None:
    delivery = SmtpNotifier(**server.client_kwargs()).send(MESSAGE)

    [attempt] = delivery.attempts
    assert (attempt.ok, attempt.code, attempt.permanent) == (True, 250, False)
    assert delivery.detail.startswith("250 ")
    [received] = server.messages
    assert received.mail_from == "no-reply@infino.example"
    assert received.rcpt_tos == ("an.peeters@example.be",)
    assert received.message["Message-ID"] == MESSAGE.message_id
    assert received.message["Subject"] == MESSAGE.subject
    assert received.message["To"].addresses[0].addr_spec == "an.peeters@example.be"
    text = received.message.get_body(("plain",))
    html = received.message.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().strip() == "Geschillencommissie — één"
    assert html.get_content().strip() == "<p>Geschillencommissie — één</p>"
    assert not received.tls and received.login is None


def test_it_uses_starttls_and_logs_in() -> None:
    with SmtpTestServer(starttls=True, auth=("infino", "s3cret")) as server:
        SmtpNotifier(**server.client_kwargs()).send(MESSAGE)
        [received] = server.messages
    assert received.tls
    assert received.login == "infino"


def test_it_uses_implicit_tls() -> None:
    with SmtpTestServer(ssl=True, auth=("infino", "s3cret")) as server:
        SmtpNotifier(**server.client_kwargs()).send(MESSAGE)
        [received] = server.messages
    assert received.tls
    assert received.login == "infino"


@pytest.mark.parametrize("on", ["RCPT", "DATA"])
def test_it_retries_a_451_and_records_every_attempt(on: str) -> None:
    sleeps: list[float] = []
    with SmtpTestServer(script=answer_times("451 4.3.0 try later", 2, on=on)) as server:
        notifier = SmtpNotifier(**server.client_kwargs(sleep=sleeps.append, backoff=0.5))
        delivery = notifier.send(MESSAGE)
        assert len(server.messages) == 1
        assert server.connections == 3  # a fresh connection for every try
    assert [a.code for a in delivery.attempts] == [451, 451, 250]
    assert [a.ok for a in delivery.attempts] == [False, False, True]
    assert not any(a.permanent for a in delivery.attempts)
    assert delivery.attempts[0].answer == "4.3.0 try later"
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_a_550_for_the_recipient_is_permanent_and_not_retried() -> None:
    sleeps: list[float] = []
    with SmtpTestServer(script=refuse_recipient("an.peeters@example.be")) as server:
        with pytest.raises(TransportError) as failure:
            SmtpNotifier(**server.client_kwargs(sleep=sleeps.append)).send(MESSAGE)
        assert server.messages == []
    assert failure.value.permanent is True
    [attempt] = failure.value.attempts
    assert (attempt.ok, attempt.code, attempt.answer, attempt.permanent) == (
        False,
        550,
        "5.1.1 no such user",
        True,
    )
    assert sleeps == []


def test_a_550_on_data_is_permanent() -> None:
    with (
        SmtpTestServer(script=answer_times("554 5.6.0 content rejected", 5)) as server,
        pytest.raises(TransportError) as failure,
    ):
        SmtpNotifier(**server.client_kwargs()).send(MESSAGE)
    assert failure.value.permanent is True
    assert [a.code for a in failure.value.attempts] == [554]


def test_it_reconnects_after_the_server_drops_the_connection_on_data() -> None:
    with SmtpTestServer(script=drop_times(1, on="DATA")) as server:
        delivery = SmtpNotifier(**server.client_kwargs()).send(MESSAGE)
        assert len(server.messages) == 1
        assert server.connections == 2
    first, second = delivery.attempts
    assert (first.ok, first.code, first.permanent) == (False, None, False)
    assert "SMTPServerDisconnected" in first.answer
    assert (second.ok, second.code) == (True, 250)


def test_a_server_that_is_down_is_a_transient_failure_after_max_attempts() -> None:
    sleeps: list[float] = []
    notifier = SmtpNotifier(
        "127.0.0.1",
        free_port(),
        "none",
        timeout=2,
        max_attempts=3,
        local_hostname="client.test",
        sleep=sleeps.append,
    )
    with pytest.raises(TransportError) as failure:
        notifier.send(MESSAGE)
    assert failure.value.permanent is False
    assert len(failure.value.attempts) == 3
    assert all(not a.ok and not a.permanent and a.code is None for a in failure.value.attempts)
    assert "ConnectionRefusedError" in failure.value.attempts[0].answer
    assert sleeps == [1.0, 2.0]


def test_a_server_that_never_answers_times_out() -> None:
    with silent_port() as port:
        notifier = SmtpNotifier(
            "127.0.0.1",
            port,
            "none",
            timeout=0.2,
            max_attempts=2,
            local_hostname="client.test",
            sleep=lambda s: None,
        )
        started = time.monotonic()
        with pytest.raises(TransportError) as failure:
            notifier.send(MESSAGE)
    assert time.monotonic() - started < 5
    assert failure.value.permanent is False
    assert len(failure.value.attempts) == 2


def test_one_connection_serves_a_whole_batch(server: SmtpTestServer) -> None:
    with SmtpNotifier(**server.client_kwargs()) as notifier:
        for n in range(5):
            notifier.send(numbered(n))
    assert server.connections == 1
    assert [r.message["Message-ID"] for r in server.messages] == [
        f"<aw-{n}@infino.example>" for n in range(5)
    ]


def test_without_a_batch_each_send_has_its_own_connection(server: SmtpTestServer) -> None:
    notifier = SmtpNotifier(**server.client_kwargs())
    for n in range(3):
        notifier.send(numbered(n))
    assert server.connections == 3


def test_a_refused_recipient_does_not_spoil_the_batch() -> None:
    with SmtpTestServer(script=refuse_recipient("gone@example.be")) as server:
        with SmtpNotifier(**server.client_kwargs()) as notifier:
            notifier.send(numbered(1))
            with pytest.raises(TransportError):
                notifier.send(numbered(2, to_addr="gone@example.be"))
            notifier.send(numbered(3))
        assert [r.message["Message-ID"] for r in server.messages] == [
            "<aw-1@infino.example>",
            "<aw-3@infino.example>",
        ]
        assert server.connections == 1


def test_a_batch_reconnects_when_the_connection_was_dropped() -> None:
    with SmtpTestServer(script=drop_times(1, on="RCPT")) as server:
        with SmtpNotifier(**server.client_kwargs()) as notifier:
            first = notifier.send(numbered(1))
            second = notifier.send(numbered(2))
        assert len(server.messages) == 2
        assert server.connections == 2
    assert [a.ok for a in first.attempts] == [False, True]
    assert [a.ok for a in second.attempts] == [True]


def test_a_wrong_password_is_permanent() -> None:
    sleeps: list[float] = []
    with SmtpTestServer(starttls=True, auth=("infino", "s3cret")) as server:
        notifier = SmtpNotifier(**server.client_kwargs(password="wrong", sleep=sleeps.append))
        with pytest.raises(TransportError) as failure:
            notifier.send(MESSAGE)
        assert server.messages == []
        assert server.connections == 1
    assert failure.value.permanent is True
    assert [a.code for a in failure.value.attempts] == [535]
    assert sleeps == []


def test_a_password_smtplib_cannot_encode_is_permanent() -> None:
    with (
        SmtpTestServer(starttls=True, auth=("infino", "s3cret")) as server,
        pytest.raises(TransportError) as failure,
    ):
        SmtpNotifier(**server.client_kwargs(password="wachtwoord-é")).send(MESSAGE)
    assert failure.value.permanent is True
    assert len(failure.value.attempts) == 1


def test_it_refuses_to_send_in_clear_text_when_starttls_is_missing(server: SmtpTestServer) -> None:
    with pytest.raises(TransportError) as failure:
        SmtpNotifier(**server.client_kwargs(security="starttls")).send(MESSAGE)
    assert failure.value.permanent is True
    assert "STARTTLS" in failure.value.attempts[0].answer
    assert server.messages == []


def test_a_certificate_the_client_does_not_trust_is_permanent() -> None:
    with SmtpTestServer(starttls=True) as server:
        untrusting = ssl.create_default_context()  # the system store knows nothing of the test CA
        with pytest.raises(TransportError) as failure:
            SmtpNotifier(**server.client_kwargs(ssl_context=untrusting)).send(MESSAGE)
        assert server.messages == []
    assert failure.value.permanent is True
    assert "SSLCertVerificationError" in failure.value.attempts[0].answer


def test_a_malformed_address_fails_before_connecting(server: SmtpTestServer) -> None:
    with pytest.raises(TransportError) as failure:
        SmtpNotifier(**server.client_kwargs()).send(
            replace(MESSAGE, to_addr="an@example.be\r\nRCPT TO:<x@y.be>")
        )
    assert failure.value.permanent is True
    assert len(failure.value.attempts) == 1
    assert server.connections == 0


def test_a_non_ascii_mailbox_goes_out_with_smtputf8(server: SmtpTestServer) -> None:
    SmtpNotifier(**server.client_kwargs()).send(replace(MESSAGE, to_addr="jösé@example.be"))
    [received] = server.messages
    assert received.rcpt_tos == ("jösé@example.be",)
    assert received.message["To"].addresses[0].addr_spec == "jösé@example.be"


def test_a_non_ascii_mailbox_is_permanent_when_the_relay_lacks_smtputf8() -> None:
    with SmtpTestServer(smtputf8=False) as server:
        with pytest.raises(TransportError) as failure:
            SmtpNotifier(**server.client_kwargs()).send(replace(MESSAGE, to_addr="jösé@example.be"))
        assert server.messages == []
    assert failure.value.permanent is True
    assert "SMTPUTF8" in failure.value.attempts[0].answer


def test_an_idn_domain_goes_out_as_punycode(server: SmtpTestServer) -> None:
    SmtpNotifier(**server.client_kwargs()).send(replace(MESSAGE, to_addr="jos@müller.be"))
    assert server.messages[0].rcpt_tos == ("jos@xn--mller-kva.be",)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"security": "tls"}, "security"), ({"max_attempts": 0}, "max_attempts")],
)
def test_it_rejects_bad_settings_at_construction(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        SmtpNotifier("127.0.0.1", 25, **kwargs)


def test_mail_rcpt_and_data_go_in_one_write_only_where_the_server_offers_pipelining(
    server: SmtpTestServer, pipelining: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[bytes] = []
    send = smtplib.SMTP.send

    def recording(self: smtplib.SMTP, s: str | bytes) -> None:
        writes.append(s.encode("ascii") if isinstance(s, str) else s)
        send(self, s)

    monkeypatch.setattr(smtplib.SMTP, "send", recording)
    with SmtpNotifier(**server.client_kwargs()) as notifier:
        for n in range(3):
            notifier.send(numbered(n))
    assert [m.message["Message-ID"] for m in server.messages] == [
        f"<aw-{n}@infino.example>" for n in range(3)
    ]
    envelopes = [w for w in writes if w.lower().startswith(b"mail from:")]
    assert len(envelopes) == 3
    if pipelining:
        assert all(
            w.lower().split(b"\r\n")[1:] == [b"rcpt to:<an.peeters@example.be>", b"data", b""]
            for w in envelopes
        )
        assert len(writes) - writes.index(envelopes[0]) == 3 * 2 + 1  # two writes a message, then QUIT
    else:
        assert all(w.count(b"\r\n") == 1 for w in envelopes)


def test_a_refused_sender_when_pipelined_reads_every_answer_and_the_next_message_goes_out() -> None:
    refusals = iter(["553 5.7.1 not this message"])

    def script(event: str, _address: str | None) -> str | None:
        return next(refusals, None) if event == "MAIL" else None

    with SmtpTestServer(pipelining=True, script=script) as server:
        with SmtpNotifier(**server.client_kwargs()) as notifier:
            with pytest.raises(TransportError) as failure:
                notifier.send(numbered(1))
            notifier.send(numbered(2))
        assert [m.message["Message-ID"] for m in server.messages] == ["<aw-2@infino.example>"]
        assert server.connections == 1  # the answers to RCPT and DATA were read, RSET sent, the line kept
    assert [a.code for a in failure.value.attempts] == [553]
    assert failure.value.permanent is True
