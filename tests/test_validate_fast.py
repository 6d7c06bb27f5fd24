"""The plain-address fast path of jobs.inputs.usable_email says exactly what email_validator says: the same
normalised address for every address it takes, and every address it does not take still goes through
email_validator (so a malformed one is still reported)."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

from jobs.inputs import _PLAIN_EMAIL, _plain, usable_email


def _by_the_library(address: str) -> tuple[str | None, str | None]:
    try:
        return validate_email(address, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return None, "invalid"


@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_every_address_the_fast_path_takes_is_one_email_validator_takes_unchanged(address: str) -> None:
    if _plain(address):
        assert _by_the_library(address) == (address, None)
    assert usable_email(address) == _by_the_library(address)


@pytest.mark.parametrize(
    "address",
    [
        "b1@mail.example",
        "Jan.Peeters+fund@mail.example",
        "A@Mail.Example",  # upper-case domain: normalised by the library
        "a@x.test",  # special-use
        "a@localhost",
        "a@ab--c.com",
        "a@xn--abc.com",
        "a..b@mail.example",
        "jan.peeters@@mail",
        "a@b.c0",
        "a@" + "b" * 64 + ".com",
        "x" * 65 + "@mail.example",
        "élise@mail.example",
        "a@mail.example.",
        " b1@mail.example ",
    ],
)
def test_odd_addresses_read_as_email_validator_reads_them(address: str) -> None:
    assert usable_email(address) == _by_the_library(address.strip())
