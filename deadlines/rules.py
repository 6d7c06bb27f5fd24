"""The appeal rules, as data: one record per window a decision can open.

This module is meant to be read by a lawyer line by line against the law (shared/domain.md, "Which window a
decision opens"). Every number the engine uses comes from here; the engine only knows how to count.

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
from typing import Final, Literal

CountsFrom = Literal["notification", "third_day"]

KINDS: Final = ("payment", "care_allowance", "beneficiary_designation", "arbitration_ruling")
FORUMS: Final = ("arbitration", "labour_court", "family_court")
STATUSES: Final = ("not_notified", "withdrawn", "appealed", "interrupted", "open", "grace", "expired")
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
# be early, never late (domain.md: "a day early costs nothing"). The window is marked needs_confirmation.
UNKNOWN_APPEAL_INFO_IS_COMPLETE: Final = True


@dataclass(frozen=True)
class Rule:
    """One appeal window: which decisions open it, where the appeal goes, and how its term is counted.

    counts_from "notification": the term runs from the day after notification (Ger.W. art. 52), so no day
    is taken off in the safe reading. "third_day": the term runs "from the third calendar day after the day
    informed"; the safe reading counts that day as day one (one day off).
    """

    id: str
    kind: str
    condition: str
    forum: str
    term_months: int
    counts_from: CountsFrom
    valid_from: date | None
    legal_source: str
    needs_confirmation: bool
    interrupted_by_complaint: bool


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
        valid_from=NEW_LAW_FROM,
        legal_source="seed; groeipakket.be; Groeipakketdecreet",
        needs_confirmation=False,
        interrupted_by_complaint=True,  # Groeipakketdecreet art. 104
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
        valid_from=None,
        legal_source="seed; Handvest van de sociaal verzekerde art. 23 (not in the seed)",
        needs_confirmation=True,
        interrupted_by_complaint=False,
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
        valid_from=None,
        legal_source="seed",
        needs_confirmation=False,
        interrupted_by_complaint=False,
    ),
    # Designation of the beneficiary: family court, six months.
    Rule(
        id="beneficiary_designation_family_court",
        kind="beneficiary_designation",
        condition="any",
        forum="family_court",
        term_months=6,
        counts_from="notification",
        valid_from=None,
        legal_source="seed; Groeipakketdecreet art. 104",
        needs_confirmation=False,
        interrupted_by_complaint=True,  # Groeipakketdecreet art. 104
    ),
    # The arbitration commission's own ruling: labour court, from the third day after being informed.
    Rule(
        id="arbitration_ruling_labour_court",
        kind="arbitration_ruling",
        condition="any",
        forum="labour_court",
        term_months=3,
        counts_from="third_day",
        valid_from=None,
        legal_source="seed; Groeipakketdecreet art. 115; BVR Herziening en Geschillencommissie art. 22",
        needs_confirmation=False,
        interrupted_by_complaint=False,
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
