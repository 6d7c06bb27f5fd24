"""Bad-row problems carry a stable code and parameters, set where each is raised; the report says them by code
in its language, never by matching their English message (which stays as it is for problems.csv and logs)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pandas as pd
import pytest

from deadlines.validate import (
    APPEAL_COLUMNS,
    COMPLAINT_COLUMNS,
    DECISION_COLUMNS,
    PROBLEM_CODES,
    Issue,
    Problem,
    validate_decisions,
)
from jobs.phrases import LANGUAGES, phrases
from jobs.report import Words, problem_words

ROOT = Path(__file__).resolve().parent.parent
PEOPLE_COLUMNS = ("id", "full_name", "email", "language")


def _raised_codes() -> dict[str, str]:
    """Every problem code written in the sources: the first argument of Issue(...), the third of a checker's
    check(...)/known(...) -> where it is (so a new code anywhere is found, with or without its words)."""
    found: dict[str, str] = {}
    for path in [*ROOT.glob("deadlines/**/*.py"), *ROOT.glob("jobs/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            position = {"Issue": 0, "check": 2, "known": 2}.get(name)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found[arg.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_code_raised_anywhere_is_declared_with_its_parameters() -> None:
    raised = _raised_codes()
    # the scan found the codes of both modules that raise problems
    assert {"notified_before_decided", "unknown_forum", "malformed_email", "unknown_language"} <= set(raised)
    undeclared = {code: where for code, where in raised.items() if code not in PROBLEM_CODES}
    assert not undeclared, f"problem codes without an entry in PROBLEM_CODES: {undeclared}"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_problem_code_has_words_in_every_report_language(lang: str) -> None:
    words = phrases(lang).report.words
    for code, params in sorted({**dict.fromkeys(_raised_codes(), ()), **PROBLEM_CODES}.items()):
        phrase = words.get(f"pr_{code}")
        assert phrase, f"{lang}: problem code {code!r} has no words (pr_{code} in jobs/phrases/{lang}.py)"
        fields = {f for _, f, _, _ in string.Formatter().parse(phrase) if f}
        assert fields <= set(params), f"{lang}: pr_{code} names {fields}, the code gives {params}"
    for column in {*DECISION_COLUMNS, *APPEAL_COLUMNS, *COMPLAINT_COLUMNS, *PEOPLE_COLUMNS}:
        assert words.get(f"col_{column}"), f"{lang}: column {column!r} has no words (col_{column})"


def test_an_undeclared_code_or_wrong_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown problem code"):
        Issue("brand_new_problem", {})
    with pytest.raises(ValueError, match="takes"):
        Issue("unknown_kind", {"kind": "x"})


def _hostile() -> list[Problem]:
    decisions = pd.DataFrame(
        [
            [1, 1, "family_bonus", "2024-12-01", None, "2024-12-05", 1, None],
            [2, 1, "care_allowance", "2024-12-10", None, "2024-12-01", 1, None],
            [3, 1, "care_allowance", "2024-12-10", None, "31/12/2024", "maybe", None],
            [3, 1, "care_allowance", "2024-12-10", None, "2024-12-11", 1, None],
            [4, 1, "care_allowance", "2024-12-10", None, "2024-12-11", None, None],
        ],
        columns=list(DECISION_COLUMNS),
    )
    appeals = pd.DataFrame(
        [[1, 4, "supreme_court", "2024-12-20"], [2, 4, "labour_court", "2024-12-01"], [3, 99, "labour_court", "2024-12-20"]],
        columns=["id", *APPEAL_COLUMNS],
    )  # fmt: skip
    complaints = pd.DataFrame([[1, 4, "2024-12-20", "2024-12-15"]], columns=["id", *COMPLAINT_COLUMNS])
    return validate_decisions(decisions, appeals, complaints)[3]


def test_validation_gives_each_problem_its_code_and_keeps_its_english_message() -> None:
    said = {
        (p.table, p.row_id): (p.message, [(i.code, dict(i.params)) for i in p.issues]) for p in _hostile()
    }
    assert said[("decisions", 1)] == (
        "unknown kind 'family_bonus'",
        [("unknown_kind", {"raw": "family_bonus"})],
    )
    assert said[("decisions", 2)] == (
        "notified_on 2024-12-01 is before decided_on",
        [("notified_before_decided", {"date": "2024-12-01"})],
    )
    message, issues = said[("decisions", 3)]
    assert message.startswith("duplicate id 3") and issues[0] == ("duplicate", {"column": "id", "raw": 3})
    assert said[("decisions", 4)][1] == [("info_complete_missing", {})]
    assert said[("appeals", 1)] == (
        "unknown forum 'supreme_court'",
        [("unknown_forum", {"raw": "supreme_court"})],
    )
    assert said[("appeals", 2)][1] == [("appeal_before_decided", {"date": "2024-12-01"})]
    assert said[("appeals", 3)] == ("no decision 99", [("no_decision", {"raw": 99})])
    assert said[("complaints", 1)][1] == [("complaint_closed_before_filed", {"date": "2024-12-15"})]


def test_the_report_says_every_bad_row_in_its_language_by_code() -> None:
    """Before codes, the report matched English messages: an unknown forum, a duplicate id or a date it could not
    read stayed English in a Dutch report."""
    problems = {(p.table, p.row_id): p for p in _hostile()}
    nl = Words("nl")
    assert problem_words(problems[("appeals", 1)], nl) == "onbekende beroepsinstantie ‘supreme_court’"
    assert problem_words(problems[("decisions", 3)], nl) == "nummer 3 komt in meer dan één rij voor"
    assert (
        problem_words(problems[("decisions", 2)], nl)
        == "kennisgeving (zondag 1 december 2024) vóór de beslissingsdatum"
    )
    fr = Words("fr")
    assert problem_words(problems[("complaints", 1)], fr) == (
        "plainte clôturée (dimanche 15 décembre 2024) avant d’avoir été introduite"
    )
    for lang in sorted(LANGUAGES):
        w = Words(lang)
        for problem in problems.values():
            text = problem_words(problem, w)
            assert (lang == "en" or problem.message not in text) and "_" not in text.replace(
                "family_bonus", ""
            ).replace("supreme_court", ""), (lang, text)


def test_a_reworded_english_message_changes_nothing_in_the_report() -> None:
    problem = Problem(
        "decisions", 7, "kind", "the kind 'family_bonus' is not one we know", issues=(Issue("unknown_kind", {"raw": "family_bonus"}),)
    )  # fmt: skip
    assert problem_words(problem, Words("nl")) == "onbekende soort beslissing ‘family_bonus’"
    several = Problem(
        "beneficiaries",
        5,
        "email, language",
        "anything",
        False,
        (
            Issue("malformed_email", {"address": "a@@b"}),
            Issue("unknown_language", {"raw": "es", "lang": "nl"}),
        ),
    )
    assert problem_words(several, Words("en")) == (
        "invalid e-mail address ‘a@@b’; on the call list; language ‘es’ is not supported; we write in Dutch"
    )
