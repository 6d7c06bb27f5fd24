"""What is due tonight: the reminder stages of the open windows (shared/domain.md, "Reminders").

Pure: windows, the ledger's existing keys and the offsets in; one row per stage to act on out. A stage with
offset `o` is due on the first run on or after `safe_deadline - o` while the window is open, that is when
`days_left <= o`. When several stages of one series (decision, forum, deadline, recipient) are due and not yet
in the ledger (missed nights, a window that opened late, the first run ever) only the most urgent one goes
out; the others are recorded as skipped, so they never go out later either.

One kind of ledger key is not done: a reminder superseded while it waited in the outbox because its window
was no longer open with that deadline (appealed, withdrawn, interrupted: `SUPERSEDED_WINDOW`), never sent,
whose window is open again with the same deadline. The ledger marks it `rearmable` (`jobs.nightly.ledger_keys`);
when it is the most urgent due stage of its series it is sent again (`rearm`: the same row and Message-ID,
`jobs.outbox.queue.write_plan`). A stage superseded by the catch-up rule (`SUPERSEDED_CATCH_UP`) stays done.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SERIES = ["decision_id", "forum", "safe_deadline", "recipient_kind", "recipient_id"]
KEY = [*SERIES, "stage"]
ACTION_COLUMNS = [*KEY, "action", "beneficiary_id", "days_left", "rearm"]

# Why a held reminder was superseded (`aw_messages.last_answer`, written by `jobs.outbox.settle`): only
# SUPERSEDED_WINDOW may be re-armed when its window opens again with the same deadline, the others never
# (nor one superseded before these existed: its reason cannot be told apart).
SUPERSEDED_WINDOW = (
    "no longer true: the window was appealed, withdrawn or interrupted, or its deadline changed"
)
SUPERSEDED_CATCH_UP = "no longer true: a more urgent stage of the same series was due"
SUPERSEDED_IN_FLIGHT = (
    "no longer true: the window was appealed, withdrawn or interrupted, or its deadline changed, while a "
    "worker that vanished held it (it may have gone out)"
)


def _stages(series: pd.DataFrame, offsets: Sequence[int]) -> pd.DataFrame:
    """Every due stage of every series: a cross join with the few offsets, kept where days_left <= o."""
    if series.empty or not offsets:
        return series.iloc[0:0].assign(stage=pd.Series(dtype="int64"))
    stages = pd.DataFrame({"stage": [int(o) for o in offsets]})
    crossed = series.merge(stages, how="cross")
    return crossed[crossed["stage"] >= crossed["days_left"]]


def due_reminders(
    windows: pd.DataFrame,
    advisor_of: pd.Series,
    ledger: pd.DataFrame,
    beneficiary_days: Sequence[int],
    advisor_days: Sequence[int],
) -> pd.DataFrame:
    """Stages to act on: `action` is "send" for the most urgent new stage of a series, "skip" for the rest;
    `rearm` is True for a ledger key planned again (always "send": one that is not the most urgent stays as it is).

    windows: engine output (any statuses; only `open` ones with a deadline are considered).
    advisor_of: beneficiary_id -> advisor_id (missing or NA: no advisor series).
    ledger: existing keys (columns KEY, and optionally `rearmable`): a key in the ledger is never acted on again,
    but for a `rearmable` one (superseded unsent because its window closed) that is the most urgent due stage.
    """
    open_ = windows[(windows["status"] == "open") & windows["safe_deadline"].notna()]
    base = pd.DataFrame(
        {
            "decision_id": open_["decision_id"].astype("int64"),
            "forum": open_["forum"].astype(str),
            "safe_deadline": pd.to_datetime(open_["safe_deadline"]),
            "beneficiary_id": open_["beneficiary_id"].astype("int64"),
            "days_left": open_["days_left"].astype("int64"),
        }
    )
    to_beneficiary = base.assign(recipient_kind="beneficiary", recipient_id=base["beneficiary_id"])
    advisor_ids = base["beneficiary_id"].map(advisor_of)
    has_advisor = advisor_ids.notna()
    to_advisor = base[has_advisor].assign(
        recipient_kind="advisor", recipient_id=advisor_ids[has_advisor].astype("int64")
    )
    due = pd.concat(
        [_stages(to_beneficiary, beneficiary_days), _stages(to_advisor, advisor_days)], ignore_index=True
    )
    if due.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)

    # The most urgent due stage of each series, whether or not it is already in the ledger: if it is, the
    # series has already had its say for tonight and the older stages are merely skipped.
    due["urgent"] = due.groupby(SERIES)["stage"].transform("min") == due["stage"]
    rearmable = (
        ledger["rearmable"].fillna(False).astype(bool)
        if "rearmable" in ledger
        else pd.Series(False, index=ledger.index)
    )
    known = ledger[KEY].assign(
        safe_deadline=pd.to_datetime(ledger["safe_deadline"]),
        recipient_id=ledger["recipient_id"].astype("int64"),
        stage=ledger["stage"].astype("int64"),
        known=True,
        rearm=rearmable.to_numpy(),
    )
    due = due.merge(known, on=KEY, how="left")
    # New keys, and the re-armable ones that are the most urgent due stage of their series (one that is not
    # stays as it is: the catch-up rule, as for a new key that is skipped).
    new = due[due["known"].isna() | (due["rearm"].eq(True) & due["urgent"])].copy()
    new["rearm"] = new["rearm"].eq(True)
    new["action"] = new["urgent"].map({True: "send", False: "skip"})
    return new[ACTION_COLUMNS].sort_values(KEY).reset_index(drop=True)
