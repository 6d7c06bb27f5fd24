"""The rules are data: the code outside deadlines/rules.py never tests a forum or a kind by name, and what the
rules say is what the engine, the demo's forum choice and the mails' per-forum facts do."""

from __future__ import annotations

import ast
import itertools
from datetime import date
from pathlib import Path

import pandas as pd

from deadlines.engine import compute_windows
from deadlines.rules import INTERRUPTIBLE_FORUMS, RULES, RULES_BY_ID, period_cutoff, rule_for
from deadlines.vocabulary import FORUMS, KINDS
from jobs.demo_data import _forum
from jobs.phrases import PHRASES
from jobs.render import build_reminder_context

REPO = Path(__file__).resolve().parents[1]
CODE = ("deadlines", "jobs", "notifiers", "benchmarks")  # everything but tests/
# Where the names may be spelled out: the vocabulary defines them, the rules are the law as data.
ALLOWED = {Path("deadlines/vocabulary.py"), Path("deadlines/rules.py")}
NAMES = frozenset(KINDS) | frozenset(FORUMS)


def _named(node: ast.AST) -> list[str]:
    """The kind or forum names a node spells out: a string constant, or one inside a literal collection."""
    if isinstance(node, ast.Constant) and node.value in NAMES:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [name for element in node.elts for name in _named(element)]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set")
    ):
        return [name for arg in node.args for name in _named(arg)]
    return []


def name_tests(source: str, filename: str = "<code>") -> list[str]:
    """Each line where `source` tests a value against a kind or forum name: `==`, `!=`, `in`, `not in`
    (`x == "arbitration"`, `kind in ("payment", ...)`), `.isin([...])`, a `case "payment":`, or a set of
    names kept for such tests (`INTERRUPTIBLE = frozenset({"arbitration", ...})`)."""
    found: dict[int, set[str]] = {}
    for node in ast.walk(ast.parse(source, filename)):
        names: list[str] = []
        if isinstance(node, ast.Compare):
            names = [name for operand in (node.left, *node.comparators) for name in _named(operand)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "isin":
            names = [name for arg in node.args for name in _named(arg)]
        elif isinstance(node, ast.MatchValue):
            names = _named(node.value)
        elif isinstance(node, ast.Set):
            names = _named(node)
        if names:
            found.setdefault(getattr(node, "lineno", 0), set()).update(names)
    return [f"{filename}:{line}: tests {', '.join(sorted(names))}" for line, names in sorted(found.items())]


def test_the_checker_finds_every_way_of_testing_a_name() -> None:
    source = "\n".join(
        [
            'a = forum == "arbitration"',
            'b = "labour_court" != forum',
            'c = kind in ("payment", "care_allowance")',
            'd = windows["forum"].isin(["family_court"])',
            'e = forum in frozenset({"arbitration", "family_court"})',
            "match kind:",
            '    case "arbitration_ruling":',
            "        pass",
            'INTERRUPTIBLE = {"arbitration", "family_court"}',
            'f = BODIES["arbitration"]',  # a lookup by name: data, not a test
            'g = status == "open"',  # not a kind or forum
        ]
    )
    found = [line.split(": ")[0] for line in name_tests(source)]
    assert found == [f"<code>:{n}" for n in (1, 2, 3, 4, 5, 7, 9)]


def test_no_code_outside_the_rules_tests_a_forum_or_a_kind_by_name() -> None:
    files = sorted(path for folder in CODE for path in (REPO / folder).rglob("*.py"))
    assert len(files) > 30  # the walk found the code
    found = [
        hit
        for path in files
        if path.relative_to(REPO) not in ALLOWED
        for hit in name_tests(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    ]
    assert found == [], "use an attribute of the rule (deadlines/rules.py) instead:\n" + "\n".join(found)


# --- The rules as data ---------------------------------------------------------------------------------------


def test_rule_ids_are_unique_and_every_kind_has_a_rule_for_any_decision() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    for kind in KINDS:  # the last rule of a kind takes every decision of it: no cut-off
        last = [rule for rule in RULES if rule.kind == kind][-1]
        assert (last.decided_from, last.period_from) == (None, None), last.id


def test_the_rules_of_one_forum_agree_on_what_the_mails_say_per_forum() -> None:
    for forum in FORUMS:
        assert {rule.interrupted_by_complaint for rule in RULES if rule.forum == forum} == {
            forum in INTERRUPTIBLE_FORUMS
        }, forum


def test_the_engine_picks_the_rule_that_rule_for_picks() -> None:
    days = (None, date(2018, 12, 31), date(2019, 1, 1), date(2024, 6, 1))
    rows = [
        (kind, decided, period)
        for kind, decided, period in itertools.product(KINDS, days[1:], days)
        if period is None or period <= decided
    ]
    decisions = pd.DataFrame(
        {
            "id": range(1, len(rows) + 1),
            "beneficiary_id": 1,
            "kind": [kind for kind, _, _ in rows],
            "decided_on": [decided for _, decided, _ in rows],
            "period_start": [period for _, _, period in rows],
            "notified_on": [decided for _, decided, _ in rows],
            "appeal_info_complete": True,
            "withdrawn_on": None,
        }
    )
    no_appeals = pd.DataFrame({"decision_id": [], "forum": [], "filed_on": []})
    no_complaints = pd.DataFrame({"decision_id": [], "filed_on": [], "closed_on": []})
    windows = compute_windows(decisions, no_appeals, no_complaints, date(2025, 1, 1))
    expected = []
    for kind, decided, period in rows:
        rule = rule_for(kind, decided, period)
        assert rule is not None
        expected.append(rule.id)
    assert windows["rule"].tolist() == expected
    # domain.md: a new-law payment goes to arbitration, an old-law one (or one without period) to court.
    assert dict(zip(windows["rule"], windows["forum"], strict=True))["payment_arbitration"] == "arbitration"
    assert set(windows.loc[windows["kind"] == "payment", "rule"]) == {
        "payment_arbitration",
        "payment_labour_court_old_law",
    }


def test_only_payments_depend_on_the_period_they_cover() -> None:
    assert {kind: period_cutoff(kind) for kind in KINDS} == {
        "payment": date(2019, 1, 1),
        "care_allowance": None,
        "beneficiary_designation": None,
        "arbitration_ruling": None,
    }


def test_the_demo_appeals_to_the_forum_of_the_decisions_rule() -> None:
    def demo_forum(kind: str, decided: date, period: date) -> str:
        return _forum({"kind": kind, "decided_on": decided, "period_start": period})

    assert demo_forum("payment", date(2025, 3, 1), date(2025, 2, 1)) == "arbitration"
    assert demo_forum("payment", date(2025, 3, 1), date(2018, 7, 1)) == "labour_court"
    assert demo_forum("care_allowance", date(2025, 3, 1), date(2025, 2, 1)) == "labour_court"
    assert demo_forum("beneficiary_designation", date(2025, 3, 1), date(2025, 2, 1)) == "family_court"
    assert demo_forum("arbitration_ruling", date(2025, 3, 1), date(2025, 2, 1)) == "labour_court"


def test_the_reminder_says_per_forum_whether_a_complaint_interrupts_and_what_an_appeal_costs() -> None:
    facts = {
        (forum, context["complaint_interrupts"], context["show_cost_note"])
        for forum in FORUMS
        for context in [
            build_reminder_context(
                {
                    "decision_id": 1,
                    "kind": "payment",
                    "forum": forum,
                    "decided_on": date(2025, 3, 7),
                    "safe_deadline": date(2025, 6, 12),
                    "days_left": 14,
                    "stage": 14,
                    "trigger_reason": "notification",
                    "informed_on": date(2025, 3, 10),
                    "trigger_on": date(2025, 3, 10),
                    "restarted_on": None,
                    "term_months": 3,
                    "counts_from": "notification",
                },
                {"id": 1, "full_name": "An Peeters", "email": "an@example.be"},
                None,
                {"name": "Infino"},
                "en",
            )
        ]
    }
    # domain.md: complaints interrupt arbitration and family-court terms; the seed's cost note is the
    # arbitration commission's.
    assert facts == {
        ("arbitration", True, True),
        ("labour_court", False, False),
        ("family_court", True, False),
    }
    assert all(PHRASES[lang].bodies["arbitration"].cost_note is not None for lang in PHRASES)
