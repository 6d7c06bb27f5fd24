"""One vocabulary (deadlines/vocabulary.py): the configuration, the phrases, the templates and the rules all
speak every language and name every forum and kind of it, so that a fifth language or a new forum without its
phrases, templates or rule fails here, never in the middle of a night."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pandas as pd
import pytest

import deadlines.calendar
import deadlines.explain
import jobs.bodies
import jobs.config
import jobs.render
from deadlines.calendar import holiday_names
from deadlines.rules import COUNTS_FROM, RULES, TRIGGER_REASONS
from deadlines.validate import validate_decisions
from deadlines.vocabulary import FORUMS, KINDS, LANGUAGES, STATUSES, Status
from jobs.config import ConfigError, ReminderSettings, load_settings
from jobs.render import PARTS, TEMPLATE_KINDS, templates_dir

# The modules whose tables hold phrases or facts per language, forum or kind.
PHRASE_MODULES: tuple[ModuleType, ...] = (jobs.bodies, jobs.render, deadlines.calendar, deadlines.explain)


def _tables(value: Any, where: str) -> Iterator[tuple[str, Mapping[Any, Any]]]:
    """Every mapping in `value`, looking inside mappings and dataclass records (a Body's contact, ...)."""
    if isinstance(value, Mapping):
        yield where, value
        for key, item in value.items():
            yield from _tables(item, f"{where}[{key!r}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _tables(getattr(value, field.name), f"{where}.{field.name}")


def phrase_tables() -> list[tuple[str, Mapping[Any, Any]]]:
    """The tables of PHRASE_MODULES, each once, under the name of the module that defines it."""
    seen: set[int] = set()
    tables = []
    for module in PHRASE_MODULES:
        for name, value in vars(module).items():
            if not name.startswith("__") and id(value) not in seen:
                seen.add(id(value))
                tables.extend(_tables(value, f"{module.__name__}.{name}"))
    return tables


def _keyed_by(table: Mapping[Any, Any], words: tuple[str, ...]) -> bool:
    """A table keyed by these words: two or more of its keys are, or all of them are."""
    keys = {key for key in table if isinstance(key, str)}
    return len(keys & set(words)) >= 2 or (bool(keys) and keys <= set(words))


def disagreements(languages: tuple[str, ...], forums: tuple[str, ...], kinds: tuple[str, ...]) -> list[str]:
    """What the configuration, the phrases, the templates and the rules lack, or have beyond, the vocabulary
    given (the real one: nothing)."""
    problems = []
    accepted = get_args(ReminderSettings.model_fields["fallback_language"].annotation)
    if set(accepted) != set(languages):
        problems.append(f"config accepts the languages {sorted(accepted)}")
    for name, words in (("language", languages), ("forum", forums), ("kind", kinds)):
        for where, table in phrase_tables():
            if _keyed_by(table, words) and (missing := sorted(set(words) - set(table))):
                problems.append(f"{where} lacks the {name}(s) {missing}")
    for where, table in phrase_tables():
        if _keyed_by(table, TRIGGER_REASONS) and (missing := sorted(set(TRIGGER_REASONS) - set(table))):
            problems.append(f"{where} lacks the trigger reason(s) {missing}")
        if _keyed_by(table, COUNTS_FROM) and (missing := sorted(set(COUNTS_FROM) - set(table))):
            problems.append(f"{where} lacks the counts_from value(s) {missing}")
    for forum in forums:
        body = jobs.bodies.BODIES.get(forum)
        if body is None or body.appeal is None or body.how_to_file is None:
            problems.append(f"jobs.bodies.BODIES has no forum body (appeal, how_to_file) for {forum!r}")
    root = templates_dir()
    for kind in TEMPLATE_KINDS:
        found = {path.name for path in (root / kind).iterdir()}
        expected = {f"{lang}.{part}" for lang in languages for part in PARTS}
        if found != expected:
            problems.append(
                f"templates/{kind}/ lacks {sorted(expected - found)}, has beyond {sorted(found - expected)}"
            )
    if {rule.forum for rule in RULES} != set(forums):
        problems.append(f"the rules' forums are {sorted({rule.forum for rule in RULES})}")
    if {rule.kind for rule in RULES} != set(kinds):
        problems.append(f"the rules' kinds are {sorted({rule.kind for rule in RULES})}")
    return problems


def test_config_phrases_templates_and_rules_agree_with_the_vocabulary() -> None:
    assert disagreements(LANGUAGES, FORUMS, KINDS) == []
    # The check reads real tables: the bodies, the kinds, the reminder's phrases, the holiday names' codes.
    keyed = [where for where, table in phrase_tables() if _keyed_by(table, LANGUAGES)]
    assert len(keyed) > 40, keyed
    assert {"jobs.render.LOCALES", "deadlines.calendar._PACKAGE_LANGUAGE"} <= set(keyed)
    assert any(where.startswith("jobs.bodies.BODIES['arbitration'].cost_note") for where in keyed)
    assert any(where.startswith("jobs.bodies.KINDS['payment'].phrase") for where in keyed)


def test_a_fifth_language_without_its_phrases_and_templates_fails() -> None:
    problems = disagreements((*LANGUAGES, "it"), FORUMS, KINDS)
    assert any(p.startswith("config accepts") for p in problems)
    assert any(p.startswith("jobs.bodies.BODIES['fund'].name lacks the language(s) ['it']") for p in problems)
    assert any(p.startswith("jobs.render.") and "['it']" in p for p in problems)
    assert any(p.startswith("deadlines.calendar._PACKAGE_LANGUAGE lacks") for p in problems)
    assert any(
        p.startswith("templates/reminder/ lacks ['it.html', 'it.subject', 'it.txt']") for p in problems
    )


def test_a_new_forum_without_its_body_phrases_and_rule_fails() -> None:
    problems = disagreements(LANGUAGES, (*FORUMS, "council_of_state"), KINDS)
    assert "jobs.bodies.BODIES lacks the forum(s) ['council_of_state']" in problems
    assert "deadlines.explain._FORUMS lacks the forum(s) ['council_of_state']" in problems
    assert "jobs.render._DE_APPEAL_NOUN lacks the forum(s) ['council_of_state']" in problems
    assert any(p.startswith("the rules' forums are") for p in problems)


def test_a_new_kind_without_its_phrases_and_rule_fails() -> None:
    problems = disagreements(LANGUAGES, FORUMS, (*KINDS, "birth_grant"))
    assert "jobs.bodies.KINDS lacks the kind(s) ['birth_grant']" in problems
    assert any(p.startswith("the rules' kinds are") for p in problems)


# --- Each place uses the vocabulary --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_config_accepts_every_language_as_fallback(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[reminders]\nfallback_language = "{lang}"\n', encoding="utf-8")
    assert load_settings(path, environ={}).reminders.fallback_language == lang


def test_config_refuses_a_language_outside_the_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[reminders]\nfallback_language = "it"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(path, environ={})


def test_every_module_reads_the_same_lists() -> None:
    assert jobs.config.LANGUAGES is LANGUAGES
    assert jobs.render.LANGUAGES is LANGUAGES and jobs.bodies.LANGUAGES is LANGUAGES
    assert deadlines.calendar.LANGUAGES is LANGUAGES
    assert jobs.bodies.FORUMS is FORUMS and jobs.bodies.DECISION_KINDS is KINDS
    assert jobs.bodies.BODY_IDS[-len(FORUMS) :] == FORUMS


def test_a_legal_holiday_is_named_in_every_language() -> None:
    names = holiday_names(date(2025, 12, 25))
    assert names is not None and set(names) == set(LANGUAGES) and all(names.values())


def test_validation_accepts_exactly_the_vocabularys_kinds_and_forums() -> None:
    decisions = pd.DataFrame(
        {
            "id": range(1, len(KINDS) + 2),
            "beneficiary_id": 1,
            "kind": [*KINDS, "family_bonus"],
            "decided_on": "2025-01-06",
            "period_start": "2025-01-01",
            "notified_on": "2025-01-08",
            "appeal_info_complete": True,
            "withdrawn_on": None,
        }
    )
    appeals = pd.DataFrame(
        {"decision_id": 1, "forum": [*FORUMS, "council_of_state"], "filed_on": "2025-01-20"}
    )
    complaints = pd.DataFrame({"decision_id": [], "filed_on": [], "closed_on": []})
    clean, clean_appeals, _, problems = validate_decisions(decisions, appeals, complaints)
    assert clean["kind"].tolist() == list(KINDS)
    assert clean_appeals["forum"].tolist() == list(FORUMS)
    assert [str(p) for p in problems] == [
        "decisions row 5, kind: unknown kind 'family_bonus' (row skipped)",
        "appeals row 3, forum: unknown forum 'council_of_state' (row skipped)",
    ]


def test_statuses_are_the_engines_words_in_the_order_that_wins() -> None:
    assert STATUSES == ("not_notified", "withdrawn", "appealed", "interrupted", "open", "grace", "expired")
    assert Status.OPEN == "open" and f"{Status.GRACE}" == "grace"


def test_the_configuration_reads_the_vocabulary_without_loading_numpy() -> None:
    # numpy starts threads at import; `appealwatch schedule` must block SIGTERM before any thread exists,
    # so reading the configuration (and with it the vocabulary) must not import numpy or pandas.
    code = "import sys, jobs.config, jobs.schedule; print(sorted({'numpy', 'pandas'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
