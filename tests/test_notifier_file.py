"""FileNotifier: one .eml per message, atomic, sortable by name, and exactly once per Message-ID."""

from __future__ import annotations

import email
import email.policy
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import notifiers
from notifiers import NOTIFIERS, FileNotifier, Notifier, OutgoingMessage, TransportError
from notifiers.file import sanitise_message_id

MESSAGE = OutgoingMessage(
    message_id="<aw-r-12-arbitration-2025-06-12-b7-s14@infino.example>",
    sender="Infino <no-reply@infino.example>",
    to_name="An Peeters",
    to_addr="an.peeters@example.be",
    subject="Uw beroepstermijn loopt af",
    text="Geschillencommissie — één\n",
    html="<p>Geschillencommissie — één</p>\n",
    headers=(("X-Appealwatch-Key", "r-12/arbitration/2025-06-12/b7/s14"),),
    language="nl",
)
NAME = re.compile(r"\d{8}T\d{6}\.\d{6}_[A-Za-z0-9._-]+\.eml")


def ticking(start: datetime, step: timedelta = timedelta(microseconds=1)) -> Callable[[], datetime]:
    """A clock that moves ``step`` forward at every reading."""
    times: Iterator[datetime] = (start + n * step for n in range(10**6))
    return lambda: next(times)


def numbered(n: int) -> OutgoingMessage:
    return replace(MESSAGE, message_id=f"<aw-{n}@infino.example>")


def test_it_writes_one_eml_that_parses_back(tmp_path: Path) -> None:
    delivery = FileNotifier(tmp_path).send(MESSAGE)

    [path] = tmp_path.iterdir()
    assert delivery.detail == str(path)
    [attempt] = delivery.attempts
    assert attempt.ok and not attempt.permanent and attempt.at.tzinfo is not None
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == MESSAGE.message_id
    assert parsed["To"].addresses[0].addr_spec == "an.peeters@example.be"
    assert parsed["Subject"] == MESSAGE.subject
    assert parsed["X-Appealwatch-Key"] == "r-12/arbitration/2025-06-12/b7/s14"
    assert parsed.get_body(("plain",)).get_content().strip() == "Geschillencommissie — één"  # type: ignore[union-attr]


def test_it_creates_the_outbox_directory(tmp_path: Path) -> None:
    outbox = tmp_path / "deep" / "outbox"
    FileNotifier(outbox).send(MESSAGE)
    assert len(list(outbox.glob("*.eml"))) == 1


def test_the_file_name_is_the_utc_time_then_the_message_id(tmp_path: Path) -> None:
    brussels_summer = datetime(2025, 6, 12, 4, 0, 5, 123456, tzinfo=UTC).astimezone()
    delivery = FileNotifier(tmp_path, clock=lambda: brussels_summer).send(MESSAGE)
    name = Path(delivery.detail).name
    assert name == "20250612T040005.123456_aw-r-12-arbitration-2025-06-12-b7-s14_infino.example.eml"
    assert NAME.fullmatch(name)


def test_file_names_sort_in_the_order_of_writing(tmp_path: Path) -> None:
    notifier = FileNotifier(tmp_path, clock=ticking(datetime(2025, 6, 12, 23, 59, 59, 999998, tzinfo=UTC)))
    # Message-ids chosen so that sorting by id alone would give another order.
    ids = ["<zz@infino.example>", "<aa@infino.example>", "<mm@infino.example>", "<00@infino.example>"]
    paths = [notifier.send(replace(MESSAGE, message_id=i)).detail for i in ids]
    assert sorted(p.name for p in tmp_path.glob("*.eml")) == [Path(p).name for p in paths]


def test_the_same_message_id_twice_writes_one_file(tmp_path: Path) -> None:
    notifier = FileNotifier(tmp_path, clock=ticking(datetime(2025, 6, 12, tzinfo=UTC), timedelta(seconds=1)))
    first = notifier.send(MESSAGE)
    again = FileNotifier(tmp_path).send(replace(MESSAGE, subject="changed since"))  # a rerun after a crash

    assert again.detail == first.detail
    assert again.attempts[0].ok and "already" in again.attempts[0].answer
    assert len(list(tmp_path.iterdir())) == 1


def test_message_ids_that_sanitise_alike_still_get_a_file_each(tmp_path: Path) -> None:
    notifier = FileNotifier(tmp_path)
    ids = [
        "<a+b@c.example>",
        "<a=b@c.example>",
        "<x_a+b@c.example>",
    ]  # same sanitised suffix, or ending in it
    assert sanitise_message_id(ids[0]) == sanitise_message_id(ids[1])
    paths = {notifier.send(replace(MESSAGE, message_id=i)).detail for i in ids}
    assert len(paths) == 3
    assert notifier.send(replace(MESSAGE, message_id=ids[1])).detail in paths
    assert len(list(tmp_path.iterdir())) == 3


@pytest.mark.parametrize(
    ("message_id", "sanitised"),
    [
        ("<aw-r-12-arbitration-2025-06-12-b7-s14@infino.example>", "aw-r-12-arbitration-2025-06-12-b7-s14_infino.example"),
        ("<../../etc/passwd@x>", ".._.._etc_passwd_x"),
        ("<a b/c\\d@é>", "a_b_c_d__"),
    ],
)  # fmt: skip
def test_sanitised_message_ids_are_safe_file_name_parts(message_id: str, sanitised: str) -> None:
    assert sanitise_message_id(message_id) == sanitised


def test_the_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash before the rename leaves nothing behind: no half file, no temp file, and a retry writes it."""
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def crash(src: str, dst: str) -> None:
        calls.append((str(src), str(dst)))
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(TransportError) as failure:
        FileNotifier(tmp_path).send(MESSAGE)
    assert failure.value.permanent is False
    assert [a.ok for a in failure.value.attempts] == [False]
    assert list(tmp_path.iterdir()) == []
    [(src, dst)] = calls
    assert Path(src).parent == Path(dst).parent == tmp_path  # same directory, so the rename is atomic
    assert Path(src).name.startswith(".")  # a hidden temp name that the outbox glob never matches

    monkeypatch.setattr(os, "replace", real_replace)
    delivery = FileNotifier(tmp_path).send(MESSAGE)
    assert [p.name for p in tmp_path.iterdir()] == [Path(delivery.detail).name]


def test_an_unwritable_outbox_is_a_transient_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(TransportError) as failure:
        FileNotifier(blocker).send(MESSAGE)
    assert failure.value.permanent is False
    assert failure.value.channel is True, "the outbox's trouble, not the message's: the pass stops, all wait"


def test_a_malformed_address_is_a_permanent_failure(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as failure:
        FileNotifier(tmp_path).send(replace(MESSAGE, to_addr="an.peeters@"))
    assert failure.value.permanent is True
    [attempt] = failure.value.attempts
    assert not attempt.ok and attempt.permanent
    assert list(tmp_path.iterdir()) == []


def test_it_works_as_a_context_manager(tmp_path: Path) -> None:
    with FileNotifier(tmp_path) as notifier:
        for n in range(3):
            notifier.send(numbered(n))
    assert len(list(tmp_path.glob("*.eml"))) == 3


@pytest.mark.parametrize(("kind", "cls"), [("file", FileNotifier), ("smtp", notifiers.SmtpNotifier)])
def test_the_registry_names_every_channel(kind: str, cls: type[Notifier]) -> None:
    assert NOTIFIERS[kind] is cls
    assert cls.name == kind


def test_the_registry_has_nothing_else() -> None:
    assert set(NOTIFIERS) == {"file", "smtp"}


def test_every_notifier_kind_the_configuration_accepts_exists() -> None:
    from typing import get_args

    from jobs.config import NotifierSettings
    from notifiers import NOTIFIERS

    kinds = set(get_args(NotifierSettings.model_fields["kind"].annotation))
    assert kinds == set(NOTIFIERS)
