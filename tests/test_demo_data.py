"""The seeded demo-data generator: realistic, complete, deliberately a little dirty, and repeatable."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, create_engine, text

from jobs.demo_data import DemoSummary, generate

ON = date(2026, 11, 26)
TABLES = ("advisors", "beneficiaries", "decisions", "appeals", "complaints")
KINDS = {"payment", "care_allowance", "beneficiary_designation", "arbitration_ruling"}
SCHEMA = Path(__file__).resolve().parents[1] / "sql" / "schema" / "contract.sqlite.sql"


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql)))


def _scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def _day(value: Any) -> date | None:
    """A DATE column as a date: ISO text on SQLite, a date on PostgreSQL."""
    return None if value is None else date.fromisoformat(str(value))


def _plain(value: Any) -> Any:
    """One representation for both dialects, so dumps compare across them."""
    if isinstance(value, bool):
        return int(value)
    return value.isoformat() if isinstance(value, date) else value


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: [tuple(_plain(v) for v in row) for row in _rows(engine, f"SELECT * FROM {t} ORDER BY id")]
        for t in TABLES
    }


@pytest.fixture
def sqlite_engine_factory(tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """Extra fresh SQLite databases (contract DDL only), for comparing two generated databases."""
    engines: list[Engine] = []

    def make() -> Engine:
        engine = create_engine(f"sqlite:///{tmp_path / f'demo{len(engines)}.db'}")
        with engine.begin() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.executescript(SCHEMA.read_text())
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def demo(db_engine: Engine) -> tuple[Engine, DemoSummary]:
    with db_engine.begin() as conn:
        summary = generate(conn, ON)
    return db_engine, summary


def test_population_is_300_beneficiaries_and_12_advisors_in_three_teams(
    demo: tuple[Engine, DemoSummary],
) -> None:
    engine, summary = demo
    assert _scalar(engine, "SELECT COUNT(*) FROM beneficiaries") == 300
    teams = Counter(team for (team,) in _rows(engine, "SELECT team FROM advisors"))
    assert sum(teams.values()) == 12
    assert teams == {"Antwerpen": 4, "Gent": 4, "Brussel": 4}
    languages = Counter(lang for (lang,) in _rows(engine, "SELECT language FROM advisors"))
    assert languages["fr"] == 2 and languages["nl"] == 10
    assert summary.teams == {"Antwerpen": 4, "Brussel": 4, "Gent": 4}


def test_summary_counts_match_the_database(demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    assert summary.tables == {t: _scalar(engine, f"SELECT COUNT(*) FROM {t}") for t in TABLES}
    assert summary.kinds == dict(_rows(engine, "SELECT kind, COUNT(*) FROM decisions GROUP BY kind"))
    assert summary.languages == dict(
        _rows(engine, "SELECT language, COUNT(*) FROM beneficiaries GROUP BY language")
    )
    assert summary.beneficiaries_without_email == _scalar(
        engine, "SELECT COUNT(*) FROM beneficiaries WHERE email IS NULL"
    )
    assert summary.not_notified == _scalar(engine, "SELECT COUNT(*) FROM decisions WHERE notified_on IS NULL")
    assert summary.appealed == _scalar(engine, "SELECT COUNT(DISTINCT decision_id) FROM appeals")
    assert summary.complained == _scalar(engine, "SELECT COUNT(DISTINCT decision_id) FROM complaints")
    assert "complaint_closed_before_filed" in summary.describe()


def test_two_to_four_decisions_per_beneficiary_on_average(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    assert 600 <= _scalar(engine, "SELECT COUNT(*) FROM decisions") <= 1200
    assert _scalar(engine, "SELECT COUNT(DISTINCT beneficiary_id) FROM decisions") == 300


def test_every_decision_kind_is_present_and_payment_is_most_common(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    kinds = Counter(kind for (kind,) in _rows(engine, "SELECT kind FROM decisions"))
    assert set(kinds) >= KINDS
    valid = sum(kinds[k] for k in KINDS)
    assert kinds.most_common(1)[0][0] == "payment"
    assert 0.50 <= kinds["payment"] / valid <= 0.70
    for kind in KINDS - {"payment"}:
        assert 0.05 <= kinds[kind] / valid <= 0.25, kind


def test_languages_match_the_target_shares_within_one(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    languages = Counter(lang for (lang,) in _rows(engine, "SELECT language FROM beneficiaries"))
    for lang, target in {"nl": 240, "fr": 36, "en": 15, "de": 9}.items():
        assert abs(languages[lang] - target) <= 1, (lang, languages[lang])


def test_german_speakers_live_in_eupen(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    districts = {
        d for (d,) in _rows(engine, "SELECT judicial_district FROM beneficiaries WHERE language = 'de'")
    }
    assert districts == {"Eupen"}


def test_some_beneficiaries_and_one_advisor_have_no_email(demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    without = _scalar(engine, "SELECT COUNT(*) FROM beneficiaries WHERE email IS NULL")
    assert 15 <= without <= 35  # about 8 %
    assert _scalar(engine, "SELECT COUNT(*) FROM advisors WHERE email IS NULL") == 1
    assert summary.advisors_without_email == 1
    assert _scalar(engine, "SELECT COUNT(*) FROM beneficiaries WHERE advisor_id IS NULL") >= 1


def test_every_email_uses_an_example_domain(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    emails = [
        e for (e,) in _rows(engine, "SELECT email FROM beneficiaries UNION ALL SELECT email FROM advisors")
    ]
    wellformed = [e for e in emails if e is not None and "@@" not in e]
    assert wellformed and all(e.endswith((".example",)) and e.isascii() for e in wellformed)
    assert len(set(wellformed)) == len(wellformed)


def test_names_mix_flemish_brussels_and_foreign_with_non_ascii(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    names = " ".join(n for (n,) in _rows(engine, "SELECT full_name FROM beneficiaries"))
    for surname in ("Peeters", "Van den Broeck", "El Amrani", "Dubois", "Nowak", "Çelik", "Müller", "Ñúñez"):
        assert surname in names, surname


def test_deliberately_bad_rows_are_present_and_counted(demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    kinds = ", ".join(f"'{k}'" for k in sorted(KINDS))
    assert _rows(engine, f"SELECT kind FROM decisions WHERE kind NOT IN ({kinds})") == [("family_bonus",)]
    assert _scalar(engine, "SELECT COUNT(*) FROM beneficiaries WHERE email LIKE '%@@%'") == 1
    assert _rows(
        engine, "SELECT language FROM beneficiaries WHERE language NOT IN ('nl','fr','de','en')"
    ) == [("es",)]
    assert _scalar(engine, "SELECT COUNT(*) FROM decisions WHERE notified_on < decided_on") == 1
    assert _scalar(engine, "SELECT COUNT(*) FROM complaints WHERE closed_on < filed_on") == 1
    assert summary.bad_rows == {
        "complaint_closed_before_filed": 1,
        "malformed_email": 1,
        "notified_before_decided": 1,
        "unknown_kind": 1,
        "unknown_language": 1,
    }


def test_no_date_lies_after_on_and_decisions_span_15_months(demo: tuple[Engine, DemoSummary]) -> None:
    engine, _ = demo
    rows = _rows(engine, "SELECT decided_on, notified_on, withdrawn_on FROM decisions")
    rows += _rows(engine, "SELECT filed_on, filed_on, closed_on FROM complaints")
    rows += _rows(engine, "SELECT filed_on, filed_on, filed_on FROM appeals")
    days = [_day(v) for row in rows for v in row if v is not None]
    assert max(d for d in days if d) <= ON
    decided = [_day(v) for (v,) in _rows(engine, "SELECT decided_on FROM decisions")]
    assert min(d for d in decided if d) >= ON - relativedelta(months=15)
    assert max(d for d in decided if d) >= ON - timedelta(days=14)


def test_decisions_carry_every_modifier(demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    withdrawn = _rows(engine, "SELECT decided_on, withdrawn_on FROM decisions WHERE withdrawn_on IS NOT NULL")
    assert len(withdrawn) >= 5
    assert all(timedelta(1) <= _day(w) - _day(d) <= timedelta(30) for d, w in withdrawn)  # type: ignore[operator]
    not_notified = [
        _day(d) for (d,) in _rows(engine, "SELECT decided_on FROM decisions WHERE notified_on IS NULL")
    ]
    assert len(not_notified) >= 3 and all(d and d >= ON - timedelta(days=30) for d in not_notified)
    art89 = _scalar(engine, "SELECT COUNT(*) FROM decisions WHERE appeal_info_complete = FALSE")
    assert 0.02 * summary.tables["decisions"] <= art89 <= 0.08 * summary.tables["decisions"]
    old_law = _scalar(
        engine, "SELECT COUNT(*) FROM decisions WHERE kind = 'payment' AND period_start < '2019-01-01'"
    )
    assert old_law >= 3 and old_law == summary.old_law_payments


def test_appeals_go_to_the_decisions_forum_within_the_window(demo: tuple[Engine, DemoSummary]) -> None:
    engine, summary = demo
    rows = _rows(
        engine,
        "SELECT d.kind, d.period_start, d.notified_on, a.forum, a.filed_on"
        " FROM appeals a JOIN decisions d ON d.id = a.decision_id",
    )
    assert 0.05 * summary.tables["decisions"] <= len(rows) <= 0.11 * summary.tables["decisions"]
    expected = {"care_allowance": "labour_court", "arbitration_ruling": "labour_court"}
    expected["beneficiary_designation"] = "family_court"
    for kind, period_start, notified_on, forum, filed_on in rows:
        old_law = _day(period_start) < date(2019, 1, 1)  # type: ignore[operator]
        want = expected.get(kind) or ("labour_court" if old_law else "arbitration")
        assert forum == want, (kind, period_start, forum)
        assert _day(notified_on) < _day(filed_on) <= min(ON, _day(notified_on) + relativedelta(months=3))  # type: ignore[operator]
    assert {r[3] for r in rows} == {"arbitration", "labour_court", "family_court"}


def test_complaints_follow_notification_some_open_some_closed_one_decision_twice(
    demo: tuple[Engine, DemoSummary],
) -> None:
    engine, summary = demo
    rows = _rows(
        engine,
        "SELECT c.decision_id, d.notified_on, c.filed_on, c.closed_on"
        " FROM complaints c JOIN decisions d ON d.id = c.decision_id WHERE c.closed_on IS NULL"
        " OR c.closed_on >= c.filed_on",
    )
    assert 0.04 * summary.tables["decisions"] <= len(rows) <= 0.08 * summary.tables["decisions"]
    for _, notified_on, filed_on, closed_on in rows:
        assert _day(notified_on) < _day(filed_on) <= ON  # type: ignore[operator]
        assert closed_on is None or _day(filed_on) < _day(closed_on) < ON  # type: ignore[operator]
    assert any(r[3] is None for r in rows) and any(r[3] is not None for r in rows)
    twice = [n for n in Counter(r[0] for r in rows).values() if n == 2]
    assert 1 <= len(twice) <= 2 and summary.decisions_with_two_complaints == len(twice)


def test_many_arbitration_deadlines_fall_within_the_next_30_days(demo: tuple[Engine, DemoSummary]) -> None:
    """So the demo night has reminders to send (safe deadline = day informed + 3 days + 3 months - 1)."""
    engine, _ = demo
    rows = _rows(
        engine,
        "SELECT notified_on FROM decisions d WHERE kind = 'payment' AND period_start >= '2019-01-01'"
        " AND notified_on >= decided_on AND appeal_info_complete = TRUE AND withdrawn_on IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM appeals a WHERE a.decision_id = d.id)"
        " AND NOT EXISTS (SELECT 1 FROM complaints c WHERE c.decision_id = d.id)",
    )
    safe = [_day(n) + timedelta(3) + relativedelta(months=3) - timedelta(1) for (n,) in rows]  # type: ignore[operator]
    assert sum(ON <= s <= ON + timedelta(30) for s in safe) >= 30


def test_same_seed_and_day_give_identical_rows_on_any_backend(
    db_engine: Engine, sqlite_engine_factory: Callable[[], Engine]
) -> None:
    other = sqlite_engine_factory()
    for engine in (db_engine, other):
        with engine.begin() as conn:
            generate(conn, ON, seed=7)
    assert _dump(db_engine) == _dump(other)


def test_a_different_seed_or_day_gives_different_rows(sqlite_engine_factory: Callable[[], Engine]) -> None:
    dumps = []
    for seed, on in ((7, ON), (8, ON), (7, ON + timedelta(1))):
        engine = sqlite_engine_factory()
        with engine.begin() as conn:
            generate(conn, on, seed=seed)
        dumps.append(_dump(engine))
    assert dumps[0] != dumps[1] and dumps[0] != dumps[2]
    assert dumps[0]["advisors"] == dumps[1]["advisors"]  # the advisors are fixed staff


def test_a_small_population_works_and_a_tiny_one_is_refused(
    sqlite_engine_factory: Callable[[], Engine],
) -> None:
    engine = sqlite_engine_factory()
    with engine.begin() as conn:
        summary = generate(conn, ON, seed=1, beneficiaries=20)
    assert summary.tables["beneficiaries"] == 20 == _scalar(engine, "SELECT COUNT(*) FROM beneficiaries")
    with engine.begin() as conn, pytest.raises(ValueError):
        generate(conn, ON, beneficiaries=5)
