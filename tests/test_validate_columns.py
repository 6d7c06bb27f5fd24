"""The column-wise checks of the people (jobs.inputs.usable_emails, _plain_column) say, value for value, what
the one-value checks say (usable_email, plain_address), which tests/test_validate_fast.py holds to
email_validator: the same address, the same reason, the same plain ones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.inputs import _PLAIN_EMAIL, _blank, _blanks, _plain, _plain_column, usable_email, usable_emails

ODD = [
    "b1@mail.example",
    "Jan.Peeters+fund@mail.example",
    "A@Mail.Example",
    "a@x.test",
    "a@test",
    "a@localhost",
    "a@sub.localhost",
    "a@ab--c.com",
    "a@xn--abc.com",
    "a..b@mail.example",
    "jan.peeters@@mail",
    "a@b.c0",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "x" * 64 + "@mail.example",
    "x" * 65 + "@mail.example",
    "a@" + ".".join(["b" * 60] * 4) + ".com",  # too long a domain
    "x" * 60 + "@" + ".".join(["b" * 60] * 3) + ".com",  # too long a whole
    "élise@mail.example",
    "a@mail.example.",
    " b1@mail.example ",
    "",
    "   ",
    None,
    math.nan,
    pd.NA,
    42,
]


def _one_by_one(values: list[object]) -> tuple[list[object], list[object]]:
    pairs = [usable_email(v) for v in values]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _columns(values: list[object]) -> tuple[list[object], list[object]]:
    addresses, reasons = usable_emails(pd.Series(values, dtype=object))
    return list(addresses), list(reasons)


def test_odd_values_read_as_usable_email_reads_them_one_by_one() -> None:
    assert _columns(ODD) == _one_by_one(ODD)
    texts = [v.strip() for v in ODD if isinstance(v, str) and v.strip()]
    assert list(_plain_column(texts)) == [_plain(t) for t in texts]


@pytest.mark.parametrize("values", [[], [None], ["  "], ["a@mail.example"], ["a@x.test", None, "a@x.test"]])
def test_small_columns(values: list[object]) -> None:
    assert _columns(values) == _one_by_one(values)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.from_regex(_PLAIN_EMAIL, fullmatch=True), st.text(max_size=30), st.none())))
def test_random_columns_read_as_one_by_one(values: list[object]) -> None:
    assert _columns(values) == _one_by_one(values)
    assert list(_blanks(pd.Series(values, dtype=object))) == [_blank(v) for v in values]


def test_blanks_of_odd_values() -> None:
    assert list(_blanks(pd.Series(ODD, dtype=object))) == [_blank(v) for v in ODD]
    assert _blanks(pd.Series([], dtype=object)).dtype == np.bool_
