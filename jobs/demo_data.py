"""Seeded demo data for the five contract tables (shared/contract.md section 1).

``generate`` fills an EMPTY database whose tables the caller has already created, with plain INSERTs and
bound parameters only (in production the tables may be views, so no ORM). Everything is drawn from one
``random.Random(seed)`` and placed relative to ``on``: the same seed and day give the same rows, byte for
byte, on SQLite and PostgreSQL. A handful of deliberately bad rows show how the nightly job reports them.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, Boolean, Connection, Date, bindparam, text

from deadlines.rules import period_cutoff, rule_for

Row = dict[str, Any]

# fmt: off
# (id, full_name, email, language, team): three teams of four; one advisor has no e-mail address.
ADVISORS: list[tuple[int, str, str | None, str, str]] = [
    (1, "An Peeters", "an.peeters@infino.example", "nl", "Antwerpen"),
    (2, "Bart Janssens", "bart.janssens@infino.example", "nl", "Antwerpen"),
    (3, "Katrien Maes", "katrien.maes@infino.example", "nl", "Antwerpen"),
    (4, "Dirk Aerts", None, "nl", "Antwerpen"),
    (5, "Els De Smet", "els.desmet@infino.example", "nl", "Gent"),
    (6, "Pieter Verstraete", "pieter.verstraete@infino.example", "nl", "Gent"),
    (7, "Lien Van Damme", "lien.vandamme@infino.example", "nl", "Gent"),
    (8, "Stijn De Clercq", "stijn.declercq@infino.example", "nl", "Gent"),
    (9, "Wim Vermeulen", "wim.vermeulen@infino.example", "nl", "Brussel"),
    (10, "Sofie Claes", "sofie.claes@infino.example", "nl", "Brussel"),
    (11, "Isabelle Dubois", "isabelle.dubois@infino.example", "fr", "Brussel"),
    (12, "Mehdi El Amrani", "mehdi.elamrani@infino.example", "fr", "Brussel"),
]
# Name pools: (first names, surnames).
FLEMISH = (
    ["Emma", "Louise", "Olivia", "Marie", "Lars", "Noah", "Arthur", "Jules", "An", "Jan", "Els", "Wim",
     "Sofie", "Tom", "Lotte", "Hanne", "Stijn", "Nele"],
    ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
     "De Smet", "Van den Broeck", "Vermeulen", "Pauwels", "De Vos", "Hermans", "Aerts", "Lemmens"],
)
BRUSSELS = (
    ["Camille", "Lucas", "Manon", "Hugo", "Chloé", "Nathan", "Sarah", "Mohamed", "Yasmine", "Amine", "Inès",
     "Adam", "Léa", "Rayan", "Zoé"],
    ["Dubois", "Lambert", "Dupont", "Leclercq", "El Amrani", "Benali", "Martin", "Lefèvre", "François",
     "Claessens", "Vandenberghe", "El Idrissi", "Bakkali"],
)
FOREIGN = (
    ["Anna", "Piotr", "Mehmet", "Elif", "Andrei", "Ioana", "Carlos", "Lucía", "Giulia", "Marco", "Chinedu",
     "Ngozi", "Minh", "Linh", "Aylin"],
    ["Nowak", "Kowalski", "Yılmaz", "Popescu", "García", "Rossi", "Okafor", "Nguyen", "Çelik", "Müller",
     "Ñúñez", "Kaya"],
)
GERMAN = (
    ["Lukas", "Leonie", "Jonas", "Lena", "Felix", "Mia", "Jan"],
    ["Schmitz", "Krings", "Kohnen", "Lentz", "Heinen", "Müller"],
)
LANGUAGE_SHARES = {"nl": 0.80, "fr": 0.12, "en": 0.05, "de": 0.03}
POOLS_BY_LANGUAGE = {
    "nl": {"flemish": 85, "brussels": 5, "foreign": 10},
    "fr": {"brussels": 85, "foreign": 15},
    "en": {"foreign": 1},
    "de": {"german": 1},
}
DISTRICTS_BY_LANGUAGE = {
    "nl": {"Antwerpen": 30, "Oost-Vlaanderen": 22, "West-Vlaanderen": 16, "Limburg": 12, "Leuven": 10,
           "Brussel": 10},
    "fr": {"Brussel": 85, "Leuven": 10, "Antwerpen": 5},
    "en": {"Brussel": 50, "Antwerpen": 25, "Leuven": 25},
    "de": {"Eupen": 1},
}
TEAM_BY_DISTRICT = {
    "Antwerpen": "Antwerpen", "Limburg": "Antwerpen", "Oost-Vlaanderen": "Gent", "West-Vlaanderen": "Gent",
    "Brussel": "Brussel", "Leuven": "Brussel", "Eupen": "Brussel",
}
KIND_WEIGHTS = {"payment": 60, "care_allowance": 15, "beneficiary_designation": 10, "arbitration_ruling": 15}
HISTORY_DAYS = 456  # decided_on spreads over the last 15 months
SOON_DAYS = (62, 100)  # decided this many days ago: the window's deadline falls around the next 30 days
# fmt: on


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate`` inserted: counts per table, per kind and language, modifiers, and bad rows."""

    on: date
    seed: int
    tables: dict[str, int]
    teams: dict[str, int]
    kinds: dict[str, int]
    languages: dict[str, int]
    beneficiaries_without_email: int
    beneficiaries_without_advisor: int
    advisors_without_email: int
    old_law_payments: int
    not_notified: int
    withdrawn: int
    missing_appeal_info: int
    appealed: int
    complained: int
    open_complaints: int
    decisions_with_two_complaints: int
    bad_rows: dict[str, int]

    def describe(self) -> str:
        """Multi-line, human-readable text (for `appealwatch demo`)."""
        decisions = (
            f"{self.old_law_payments} old-law payments, {self.not_notified} not notified, "
            f"{self.withdrawn} withdrawn, {self.missing_appeal_info} without appeal info (art. 89)"
        )
        return "\n".join(
            [
                f"Demo data for {self.on.isoformat()} (seed {self.seed})",
                f"  tables:        {_fmt(self.tables)}",
                f"  advisor teams: {_fmt(self.teams)} ({self.advisors_without_email} advisor without e-mail)",
                f"  kinds:         {_fmt(self.kinds)}",
                f"  languages:     {_fmt(self.languages)}",
                f"  beneficiaries: {self.beneficiaries_without_email} without e-mail, "
                f"{self.beneficiaries_without_advisor} without advisor",
                f"  decisions:     {decisions}",
                f"  follow-up:     {self.appealed} appealed, {self.complained} with a complaint "
                f"({self.open_complaints} complaints open, {self.decisions_with_two_complaints} with two)",
                f"  bad rows:      {_fmt(self.bad_rows)}",
            ]
        )


def generate(conn: Connection, on: date, seed: int = 20261126, beneficiaries: int = 300) -> DemoSummary:
    """Fill the five (empty, existing) contract tables; the caller commits (e.g. ``engine.begin()``)."""
    if beneficiaries < 10:
        raise ValueError("demo data needs at least 10 beneficiaries")
    rng = random.Random(seed)
    advisors: list[Row] = [
        dict(zip(("id", "full_name", "email", "language", "team"), a, strict=True)) for a in ADVISORS
    ]
    people = _beneficiaries(rng, beneficiaries)
    decisions = _decisions(rng, on, people)
    bad_rows: Counter[str] = Counter()

    # Deliberately bad rows, one of each; they take no part in appeals or complaints below.
    spoiled: set[int] = set()
    victim = rng.choice([p for p in people if p["email"] and p["language"] == "nl"])
    victim["email"] = victim["email"].split("@")[0].rstrip("0123456789") + "@@mail"
    bad_rows["malformed_email"] += 1
    rng.choice([p for p in people if p["language"] == "nl" and p is not victim])["language"] = "es"
    bad_rows["unknown_language"] += 1
    normal = [d for d in decisions if _period_matters(d) and d["notified_on"] and not d["withdrawn_on"]]
    # Recent ones, so that the night's scan reads them and the demo shows how they are reported.
    unknown, backwards = rng.sample([d for d in normal if (on - d["notified_on"]).days <= 90], 2)
    unknown["kind"] = "family_bonus"
    bad_rows["unknown_kind"] += 1
    backwards["notified_on"] = backwards["decided_on"] - timedelta(days=rng.randint(3, 20))
    bad_rows["notified_before_decided"] += 1
    spoiled.update((unknown["id"], backwards["id"]))

    def eligible(min_days: int, exclude: set[int]) -> list[Row]:
        return [
            d
            for d in decisions
            if d["notified_on"]
            and not d["withdrawn_on"]
            and d["id"] not in spoiled | exclude
            and (on - d["notified_on"]).days >= min_days
        ]

    appeals: list[Row] = []
    pool = eligible(5, set())
    for d in sorted(rng.sample(pool, min(round(0.08 * len(decisions)), len(pool))), key=lambda d: d["id"]):
        waited = rng.randint(5, min(80, (on - d["notified_on"]).days))
        appeals.append(
            {"decision_id": d["id"], "forum": _forum(d), "filed_on": d["notified_on"] + timedelta(waited)}
        )
    appealed = {a["decision_id"] for a in appeals}

    complaints: list[Row] = []
    pool = eligible(2, appealed)
    for d in sorted(rng.sample(pool, min(round(0.06 * len(decisions)), len(pool))), key=lambda d: d["id"]):
        filed = d["notified_on"] + timedelta(rng.randint(1, min(60, (on - d["notified_on"]).days)))
        closed = None
        if rng.random() < 0.6 and (on - filed).days >= 2:
            closed = filed + timedelta(rng.randint(1, min(45, (on - filed).days - 1)))
        complaints.append({"decision_id": d["id"], "filed_on": filed, "closed_on": closed})
    reopenable = [c for c in complaints if c["closed_on"] and (on - c["closed_on"]).days >= 3]
    for first in rng.sample(reopenable, min(2, len(reopenable))):
        filed = first["closed_on"] + timedelta(rng.randint(1, min(20, (on - first["closed_on"]).days - 1)))
        complaints.append({"decision_id": first["decision_id"], "filed_on": filed, "closed_on": None})
    complained = {c["decision_id"] for c in complaints}
    d = rng.choice(eligible(12, appealed | complained))
    filed = d["notified_on"] + timedelta(10)
    complaints.append({"decision_id": d["id"], "filed_on": filed, "closed_on": filed - timedelta(4)})
    bad_rows["complaint_closed_before_filed"] += 1
    complaints.sort(key=lambda c: (c["decision_id"], c["filed_on"]))
    _sunday_deadline(on, decisions, people, spoiled | appealed | complained)

    _insert(conn, "advisors", advisors)
    _insert(conn, "beneficiaries", people)
    _insert(conn, "decisions", decisions, dates=("decided_on", "period_start", "notified_on", "withdrawn_on"))
    _insert(conn, "appeals", appeals, dates=("filed_on",))
    _insert(conn, "complaints", complaints, dates=("filed_on", "closed_on"))

    per_decision = Counter(c["decision_id"] for c in complaints)
    return DemoSummary(
        on=on,
        seed=seed,
        tables={
            "advisors": len(advisors),
            "beneficiaries": len(people),
            "decisions": len(decisions),
            "appeals": len(appeals),
            "complaints": len(complaints),
        },
        teams=dict(sorted(Counter(a["team"] for a in advisors).items())),
        kinds=dict(Counter(d["kind"] for d in decisions).most_common()),
        languages=dict(Counter(p["language"] for p in people).most_common()),
        beneficiaries_without_email=sum(p["email"] is None for p in people),
        beneficiaries_without_advisor=sum(p["advisor_id"] is None for p in people),
        advisors_without_email=sum(a["email"] is None for a in advisors),
        old_law_payments=sum(_period_matters(d) and d["period_start"] < _cutoff(d) for d in decisions),
        not_notified=sum(d["notified_on"] is None for d in decisions),
        withdrawn=sum(d["withdrawn_on"] is not None for d in decisions),
        missing_appeal_info=sum(not d["appeal_info_complete"] for d in decisions),
        appealed=len(appealed),
        complained=len(per_decision),
        open_complaints=sum(c["closed_on"] is None for c in complaints),
        decisions_with_two_complaints=sum(n >= 2 for n in per_decision.values()),
        bad_rows=dict(sorted(bad_rows.items())),
    )


def _beneficiaries(rng: random.Random, n: int) -> list[Row]:
    """n beneficiaries with languages drawn to exact shares, names and districts that fit the language."""
    counts = {lang: round(n * share) for lang, share in LANGUAGE_SHARES.items() if lang != "nl"}
    languages = ["nl"] * (n - sum(counts.values())) + [lang for lang, c in counts.items() for _ in range(c)]
    rng.shuffle(languages)
    pools = {"flemish": FLEMISH, "brussels": BRUSSELS, "foreign": FOREIGN, "german": GERMAN}
    decks: dict[str, list[str]] = {name: [] for name in pools}  # surnames dealt from reshuffled decks
    no_email = set(rng.sample(range(1, n + 1), round(0.08 * n)))
    no_advisor = set(rng.sample(range(1, n + 1), max(1, n // 75)))
    people = []
    for pid, lang in enumerate(languages, start=1):
        pool = _weighted(rng, POOLS_BY_LANGUAGE[lang])
        if not decks[pool]:
            decks[pool] = rng.sample(pools[pool][1], len(pools[pool][1]))
        first, last = rng.choice(pools[pool][0]), decks[pool].pop()
        district = _weighted(rng, DISTRICTS_BY_LANGUAGE[lang])
        team = [a[0] for a in ADVISORS if a[4] == TEAM_BY_DISTRICT[district]]
        people.append(
            {
                "id": pid,
                "full_name": f"{first} {last}",
                "email": None if pid in no_email else f"{_ascii(first)}.{_ascii(last)}{pid}@mail.example",
                "language": lang,
                "judicial_district": district,
                "advisor_id": None if pid in no_advisor else rng.choice(team),
            }
        )
    return people


def _sunday_deadline(on: date, decisions: list[Row], people: list[Row], taken: set[int]) -> None:
    """One window whose safe deadline is a Sunday within the next two weeks, so that the demo shows the day to
    post by (issue 10). The first open decision counted from notification, of a Dutch-speaking family with an
    e-mail address, is moved to be notified exactly the term's months before that Sunday (a day of the month
    every month has). No random draw: the rest of the demo stays as the seed makes it."""
    sunday = next(day for n in range(3, 17) if (day := on + timedelta(n)).weekday() == 6 and day.day <= 28)
    reachable = {p["id"] for p in people if p["email"] and p["language"] == "nl"}
    for d in decisions:
        rule = rule_for(d["kind"], d["decided_on"], d["period_start"])
        if (
            rule is None
            or rule.counts_from != "notification"
            or d["id"] in taken
            or d["beneficiary_id"] not in reachable
            or not d["notified_on"]
            or d["withdrawn_on"]
        ):
            continue
        month = sunday.month - rule.term_months
        notified = sunday.replace(year=sunday.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
        d["notified_on"] = notified
        d["decided_on"] = min(d["decided_on"], notified)
        return


def _decisions(rng: random.Random, on: date, people: list[Row]) -> list[Row]:
    """About three decisions per beneficiary, numbered by decision date, with the modifiers sprinkled in."""
    decisions = []
    for person in people:
        for _ in range(rng.randint(1, 5)):
            ago = rng.randint(*SOON_DAYS) if rng.random() < 0.25 else rng.randint(1, HISTORY_DAYS)
            decided = on - timedelta(ago)
            notified = decided + timedelta(rng.randint(1, 10))
            months_back = rng.choice((0, 0, 1, 2))  # the period covered starts around the decision
            decisions.append(
                {
                    "id": 0,  # numbered below, in order of decision date
                    "beneficiary_id": person["id"],
                    "kind": _weighted(rng, KIND_WEIGHTS),
                    "decided_on": decided,
                    "period_start": _month_start(decided, months_back),
                    "notified_on": notified if notified <= on else None,
                    "appeal_info_complete": rng.random() >= 0.05,
                    "withdrawn_on": None,
                }
            )
    decisions.sort(key=lambda d: (d["decided_on"], d["beneficiary_id"]))
    for i, d in enumerate(decisions, start=1):
        d["id"] = i
    payments = [d for d in decisions if _period_matters(d) and d["notified_on"]]
    for d in rng.sample(payments, min(6, len(payments))):  # late corrections of an old-law period
        d["period_start"] = date(_cutoff(d).year - 1, rng.randint(1, 12), 1)
    late = [d for d in decisions if (on - d["decided_on"]).days <= 12 and d["notified_on"]]
    for d in rng.sample(late, min(4, len(late))):  # decided recently, notification not recorded yet
        d["notified_on"] = None
    older = [d for d in decisions if (on - d["decided_on"]).days > 30 and d["notified_on"]]
    for d in rng.sample(older, min(round(0.02 * len(decisions)), len(older))):
        d["withdrawn_on"] = d["decided_on"] + timedelta(rng.randint(3, 20))
    return decisions


def _forum(d: Row) -> str:
    """The forum the decision's window opens: its rule's (deadlines/rules.py)."""
    rule = rule_for(d["kind"], d["decided_on"], d["period_start"])
    if rule is None:
        raise ValueError(f"no rule for decision kind {d['kind']!r}")
    return rule.forum


def _period_matters(d: Row) -> bool:
    """Whether the decision's rule depends on the period it covers (payments: old law before the cut-off)."""
    return period_cutoff(d["kind"]) is not None


def _cutoff(d: Row) -> date:
    """The period_start from which the decision's kind falls under its first rule (the new law)."""
    cut = period_cutoff(d["kind"])
    if cut is None:
        raise ValueError(f"the period does not matter for decision kind {d['kind']!r}")
    return cut


def _month_start(day: date, months_back: int) -> date:
    months = day.year * 12 + day.month - 1 - months_back
    return date(months // 12, months % 12 + 1, 1)


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ascii(name: str) -> str:
    """'Van den Broeck' -> 'vandenbroeck', 'Yılmaz' -> 'yilmaz', 'Ñúñez' -> 'nunez'."""
    folded = unicodedata.normalize("NFKD", name.replace("ı", "i")).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _insert(conn: Connection, table: str, rows: list[Row], dates: tuple[str, ...] = ()) -> None:
    """executemany one INSERT with bound parameters; dates and booleans typed so every dialect binds them."""
    if not rows:
        return
    columns = list(rows[0])
    stmt = text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})")
    types: list[BindParameter[Any]] = [bindparam(c, type_=Date()) for c in dates]
    if "appeal_info_complete" in columns:
        types.append(bindparam("appeal_info_complete", type_=Boolean()))
    conn.execute(stmt.bindparams(*types), rows)
