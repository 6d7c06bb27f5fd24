"""The appeal rules, as data: one record per window a decision can open.

This module is meant to be read by a lawyer line by line against the law (shared/domain.md, "Which window a
decision opens"). Every number and every legal fact the code uses comes from here: the engine, the scan's
bounds, `explain`, the mails and the demo data read the records below and never name a forum or a kind
themselves (tests/test_rules.py checks the code for that). The engine only knows how to count.

Adding a rule is one Rule record in RULES (a new kind or forum is first added to deadlines/vocabulary.py,
with its phrases in jobs/phrases/<lang>.py) plus its test rows in tests/test_engine_cases.py.

Sources, abbreviated below:
- seed: Infino's complaints page (seed/infino-complaints-and-appeals.fr.txt).
- Groeipakketdecreet: decreet van 27 april 2018 houdende regels inzake de toelagen in het kader van het
  gezinsbeleid.
- BVR Herziening en Geschillencommissie: the Flemish government's order on revision and the arbitration
  commission.
- Handvest: wet van 11 april 1995 tot invoering van het "Handvest" van de sociaal verzekerde.
- Ger.W.: Gerechtelijk Wetboek (Judicial Code), art. 52-54 for counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, get_args

from deadlines.vocabulary import FORUMS, KINDS, STATUSES, Forum, Kind

__all__ = [
    "ART89_DELAY_MONTHS",
    "ART89_SOURCE",
    "COMPLAINT_SOURCE",
    "COUNTS_FROM",
    "FORUMS",
    "FORUM_FACTS",
    "INTERRUPTIBLE_FORUMS",
    "KINDS",
    "KINDS_WITHOUT_COMPLAINT_ROUTES",
    "NEW_LAW_FROM",
    "RULES",
    "RULES_BY_ID",
    "STATUSES",
    "THIRD_DAY_OFFSET_DAYS",
    "TRIGGER_REASONS",
    "UNKNOWN_APPEAL_INFO_IS_COMPLETE",
    "CountsFrom",
    "CourtKind",
    "ForumFacts",
    "Rule",
    "period_cutoff",
    "rule_for",
]

CountsFrom = Literal["notification", "third_day"]
COUNTS_FROM: Final[tuple[CountsFrom, ...]] = get_args(CountsFrom)

TRIGGER_REASONS: Final = ("notification", "third_day_after_informed", "art89_four_months", "complaint_closed")

# The Groeipakket (new law) applies to payments decided on and covering periods from this day; older
# decisions or periods stay with the old federal law, whose disputes go to the labour court.
NEW_LAW_FROM: Final = date(2019, 1, 1)

# Groeipakketdecreet art. 89: a decision that does not state the appeal options and periods starts the
# arbitration term only this many months after notification.
ART89_DELAY_MONTHS: Final = 4
ART89_SOURCE: Final = "Groeipakketdecreet art. 89"

# "From the third calendar day after the day informed": the offset in days from the day informed.
THIRD_DAY_OFFSET_DAYS: Final = 3

COMPLAINT_SOURCE: Final = "Groeipakketdecreet art. 104; groeipakket.be"

# Policy, not law: the contract declares decisions.appeal_info_complete NOT NULL, so a NULL is a data
# problem. Treating it as "complete" gives the EARLIER deadline (no art. 89 delay): a reminder then can only
# be early, never late (domain.md: "a day early costs nothing"). The window of an art89_start rule is marked
# needs_confirmation.
UNKNOWN_APPEAL_INFO_IS_COMPLETE: Final = True


@dataclass(frozen=True)
class Rule:
    """One appeal window: which decisions open it, where the appeal goes, and how its term is counted.

    A decision opens the window of the FIRST rule in RULES whose kind is the decision's and whose cut-offs
    it meets (so a rule without cut-offs after one with them is that kind's "otherwise").

    decided_from / period_from: the cut-offs, if any: decided_on, and period_start, must be on or after that
    day. A decision without period_start does not meet a period_from cut-off: it falls to the next rule and
    its window needs confirmation (the condition could not be checked).

    counts_from "notification": the term runs from the day after notification (Ger.W. art. 52), so no day
    is taken off in the safe reading. "third_day": the term runs "from the third calendar day after the day
    informed"; the safe reading counts that day as day one (one day off).

    art89_start: a decision that does not state the appeal options and periods (appeal_info_complete false)
    starts the term ART89_DELAY_MONTHS after notification (Groeipakketdecreet art. 89); a missing
    appeal_info_complete then makes the window need confirmation.

    interrupted_by_complaint: a complaint to the complaints service interrupts the term, and its closing
    restarts a whole new term (see the complaint policy below). The mails say this per forum, so all rules
    of one forum agree on it (tests/test_rules.py).

    needs_confirmation: the rule itself must be confirmed by a lawyer (legal_source says why).

    complaint_routes: whether the family's reminder offers the gentler routes (the fund, the complaints
    service, the ombudsman) against the decision. False for a ruling of the arbitration commission: it can
    only be taken to the labour court, and the advisor explains it (domain.md, "What a reminder must make
    possible"). All rules of one kind agree on it (tests/test_rules.py).
    """

    id: str
    kind: Kind
    condition: str
    forum: Forum
    term_months: int
    counts_from: CountsFrom
    decided_from: date | None
    period_from: date | None
    art89_start: bool
    interrupted_by_complaint: bool
    legal_source: str
    needs_confirmation: bool
    complaint_routes: bool = True

    def applies(self, kind: str, decided_on: date | None, period_start: date | None) -> bool:
        """Whether a decision of this kind, decided and covering a period from these days, meets the rule's
        kind and cut-offs (None: the day is not known, so a cut-off on it is not met)."""
        return (
            kind == self.kind
            and (self.decided_from is None or (decided_on is not None and decided_on >= self.decided_from))
            and (self.period_from is None or (period_start is not None and period_start >= self.period_from))
        )


RULES: Final[tuple[Rule, ...]] = (
    # Payment or refusal of payment under the Groeipakket: the fund's own decision goes to the arbitration
    # commission first. Both the decision and the period it covers must fall under the new law.
    # A payment with no period_start does not meet this condition (domain.md: "otherwise" -> labour court):
    # the general rule applies, whose deadline from notification is also the earlier one; needs confirmation.
    Rule(
        id="payment_arbitration",
        kind="payment",
        condition="decided_on >= 2019-01-01 and period_start >= 2019-01-01",
        forum="arbitration",
        term_months=3,
        counts_from="third_day",
        decided_from=NEW_LAW_FROM,
        period_from=NEW_LAW_FROM,
        art89_start=True,  # Groeipakketdecreet art. 89
        interrupted_by_complaint=True,  # Groeipakketdecreet art. 104
        legal_source="seed; groeipakket.be; Groeipakketdecreet",
        needs_confirmation=False,
    ),
    # Old-law decision or period: the seed sends these to the courts. The three months are the general rule
    # of the Handvest art. 23, not stated by the seed: a lawyer must confirm.
    Rule(
        id="payment_labour_court_old_law",
        kind="payment",
        condition="decided_on < 2019-01-01 or period_start < 2019-01-01",
        forum="labour_court",
        term_months=3,
        counts_from="notification",
        decided_from=None,
        period_from=None,
        art89_start=False,
        interrupted_by_complaint=False,
        legal_source="seed; Handvest van de sociaal verzekerde art. 23 (not in the seed)",
        needs_confirmation=True,
    ),
    # Care allowance (zorgtoeslag): labour court. Kind en Gezin's page counts from the third day after being
    # informed, which is later; the seed's "from notification" is the safe reading.
    Rule(
        id="care_allowance_labour_court",
        kind="care_allowance",
        condition="any",
        forum="labour_court",
        term_months=3,
        counts_from="notification",
        decided_from=None,
        period_from=None,
        art89_start=False,
        interrupted_by_complaint=False,
        legal_source="seed",
        needs_confirmation=False,
    ),
    # Designation of the beneficiary: family court, six months.
    Rule(
        id="beneficiary_designation_family_court",
        kind="beneficiary_designation",
        condition="any",
        forum="family_court",
        term_months=6,
        counts_from="notification",
        decided_from=None,
        period_from=None,
        art89_start=False,
        interrupted_by_complaint=True,  # Groeipakketdecreet art. 104
        legal_source="seed; Groeipakketdecreet art. 104",
        needs_confirmation=False,
    ),
    # The arbitration commission's own ruling: labour court, from the third day after being informed.
    Rule(
        id="arbitration_ruling_labour_court",
        kind="arbitration_ruling",
        condition="any",
        forum="labour_court",
        term_months=3,
        counts_from="third_day",
        decided_from=None,
        period_from=None,
        art89_start=False,
        interrupted_by_complaint=False,
        legal_source="seed; Groeipakketdecreet art. 115; BVR Herziening en Geschillencommissie art. 22",
        needs_confirmation=False,
        complaint_routes=False,  # only the labour court can change a ruling
    ),
)

RULES_BY_ID: Final[dict[str, Rule]] = {rule.id: rule for rule in RULES}

# Complaint policy (domain.md, "Complaint interrupts"), in one place:
# - a complaint applies only to windows with interrupted_by_complaint, if filed on or after notified_on and
#   on or before the window's current latest_deadline (the latest reading: it never misses an interruption
#   the law might grant; the reminders still quote the safe deadline);
# - complaints apply in filing order (ties: the one closed first, then input order: the earlier restart);
# - a complaint filed while an earlier applied complaint is still open (filed_on < that one's closed_on)
#   does not apply: the term was not running, so there was nothing to interrupt. This keeps the earlier
#   restart, hence the earlier (safe) deadline;
# - closed on C: a whole new term runs with C in place of the day informed (arbitration: from the third day
#   after C; family court: from C); the art. 89 four-month start does not carry over.

# The forums whose terms a complaint interrupts: the mails say so per forum (from the rules, which agree).
INTERRUPTIBLE_FORUMS: Final[frozenset[str]] = frozenset(r.forum for r in RULES if r.interrupted_by_complaint)

# The kinds whose reminders offer no complaint routes (a ruling of the arbitration commission).
KINDS_WITHOUT_COMPLAINT_ROUTES: Final[frozenset[str]] = frozenset(
    r.kind for r in RULES if not r.complaint_routes
)

CourtKind = Literal["labour", "family"]


@dataclass(frozen=True)
class ForumFacts:
    """What a family's reminder needs to know about a forum, whatever the rule that sends them there.

    takes_email: the forum accepts an appeal by e-mail (the arbitration commission: seed, "par voie
    électronique ... geschillencommissie@kindengezin.be"), so an appeal can still be lodged on a Saturday,
    Sunday or legal holiday; a court takes a registered letter or a visit to its registry only.
    court: which court of the family's judicial district hears it (jobs/courts.py names it per district), or
    None for a forum that is one body for all of Flanders.
    """

    takes_email: bool
    court: CourtKind | None


FORUM_FACTS: Final[dict[Forum, ForumFacts]] = {
    "arbitration": ForumFacts(takes_email=True, court=None),
    "labour_court": ForumFacts(takes_email=False, court="labour"),
    "family_court": ForumFacts(takes_email=False, court="family"),
}


def rule_for(kind: str, decided_on: date | None, period_start: date | None) -> Rule | None:
    """The rule whose window a decision opens: the first in RULES that applies (None: an unknown kind). The
    engine selects the same way on whole columns (tests/test_rules.py checks that they agree)."""
    return next((rule for rule in RULES if rule.applies(kind, decided_on, period_start)), None)


def period_cutoff(kind: str) -> date | None:
    """The earliest period_from of the rules of this kind: decisions of the kind covering a period before it
    (or without period_start) fall to a later rule. None: the period never matters for this kind."""
    cuts = [rule.period_from for rule in RULES if rule.kind == kind and rule.period_from is not None]
    return min(cuts, default=None)
