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
import jobs.config
import jobs.organisations
import jobs.phrases
import jobs.render
from deadlines.calendar import holiday_names
from deadlines.rules import COUNTS_FROM, RULES, TRIGGER_REASONS
from deadlines.validate import validate_decisions
from deadlines.vocabulary import FORUMS, KINDS, LANGUAGES, STATUSES, Status
from jobs.config import ConfigError, ReminderSettings, load_settings
from jobs.render import PARTS, TEMPLATE_KINDS, templates_dir

# The modules whose tables hold phrases or facts per language, forum or kind (the defining module first).
PHRASE_MODULES: tuple[ModuleType, ...] = (
    jobs.phrases,
    jobs.organisations,
    jobs.render,
    deadlines.calendar,
    deadlines.explain,
)


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
    for lang in languages:
        for forum in forums:
            said = jobs.phrases.PHRASES[lang].bodies.get(forum) if lang in jobs.phrases.PHRASES else None
            if said is None or said.appeal is None or said.how_to_file is None:
                problems.append(
                    f"jobs.phrases.PHRASES[{lang!r}] has no forum body (appeal, how_to_file) for {forum!r}"
                )
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

    # The check reads real tables: the phrases of every language, the bodies, the holiday names' codes.
    def keyed(words: tuple[str, ...]) -> set[str]:
        return {where for where, table in phrase_tables() if _keyed_by(table, words)}

    assert {"jobs.phrases.PHRASES", "deadlines.calendar._PACKAGE_LANGUAGE"} <= keyed(LANGUAGES)
    assert "jobs.organisations.ORGANISATIONS" in keyed(FORUMS)
    for lang in LANGUAGES:
        said = f"jobs.phrases.PHRASES[{lang!r}]"
        assert {f"{said}.bodies", f"{said}.appeal_noun"} <= keyed(FORUMS)
        assert f"{said}.kinds" in keyed(KINDS)
        assert f"{said}.reasons" in keyed(TRIGGER_REASONS)
        assert f"{said}.starts" in keyed(COUNTS_FROM)


def test_a_fifth_language_without_its_phrases_and_templates_fails() -> None:
    problems = disagreements((*LANGUAGES, "it"), FORUMS, KINDS)
    assert any(p.startswith("config accepts") for p in problems)
    assert "jobs.phrases.PHRASES lacks the language(s) ['it']" in problems
    assert "jobs.phrases.PHRASES['it'] has no forum body (appeal, how_to_file) for 'arbitration'" in problems
    assert any(p.startswith("deadlines.calendar._PACKAGE_LANGUAGE lacks") for p in problems)
    assert any(
        p.startswith("templates/reminder/ lacks ['it.html', 'it.subject', 'it.txt']") for p in problems
    )


def test_a_new_forum_without_its_body_phrases_and_rule_fails() -> None:
    problems = disagreements(LANGUAGES, (*FORUMS, "council_of_state"), KINDS)
    assert "jobs.organisations.ORGANISATIONS lacks the forum(s) ['council_of_state']" in problems
    assert "deadlines.explain._FORUMS lacks the forum(s) ['council_of_state']" in problems
    for lang in LANGUAGES:
        assert f"jobs.phrases.PHRASES[{lang!r}].bodies lacks the forum(s) ['council_of_state']" in problems
        assert (
            f"jobs.phrases.PHRASES[{lang!r}].appeal_noun lacks the forum(s) ['council_of_state']" in problems
        )
        assert (
            f"jobs.phrases.PHRASES[{lang!r}] has no forum body (appeal, how_to_file) for 'council_of_state'"
            in problems
        )
    assert any(p.startswith("the rules' forums are") for p in problems)


def test_a_new_kind_without_its_phrases_and_rule_fails() -> None:
    problems = disagreements(LANGUAGES, FORUMS, (*KINDS, "birth_grant"))
    for lang in LANGUAGES:
        assert f"jobs.phrases.PHRASES[{lang!r}].kinds lacks the kind(s) ['birth_grant']" in problems
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
    assert jobs.render.LANGUAGES is LANGUAGES and jobs.phrases.LANGUAGES is LANGUAGES
    assert deadlines.calendar.LANGUAGES is LANGUAGES
    assert jobs.organisations.FORUMS is FORUMS
    assert jobs.organisations.ORGANISATION_IDS[-len(FORUMS) :] == FORUMS


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
