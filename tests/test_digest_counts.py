"""The advisor's digest counts families and decisions apart, each line saying which, in the four languages;
its subject counts families to call and families whose last day is today."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from pathlib import Path

import pytest

from jobs.commands.run import run_nightly
from jobs.config import load_settings

import builders as b
from conftest import Database

ON = date(2025, 3, 18)  # a Tuesday


@pytest.mark.parametrize(
    ("language", "line", "subject"),
    [
        ("nl", "3 gezinnen. Vannacht gemaild: 1 gezin (2 beslissingen). Te bellen of te schrijven: 1 gezin "
         "(1 beslissing). Nog mogelijk na de veilige datum: 1 gezin.",
         "Beroepstermijnen op dinsdag 18 maart 2025: 1 gezin te bellen, 1 gezin vandaag nog te helpen"),
        ("fr", "3 familles. Rappelées par e-mail cette nuit : 1 famille (2 décisions). À appeler ou à qui "
         "écrire : 1 famille (1 décision). Encore possible après la date sûre : 1 famille.",
         "Délais de recours du mardi 18 mars 2025 : 1 famille à appeler, 1 famille à aider aujourd’hui"),
        ("de", "3 Familien. Heute Nacht per E-Mail erinnert: 1 Familie (2 Entscheidungen). Anrufen oder "
         "schreiben: 1 Familie (1 Entscheidung). Nach dem sicheren Fristende noch möglich: 1 Familie.",
         "Fristen vom Dienstag, 18. März 2025, bitte anrufen: 1 Familie, heute noch helfen: 1 Familie"),
        ("en", "3 families. E-mailed tonight: 1 family (2 decisions). To call or write to: 1 family "
         "(1 decision). Still possible after the safe deadline: 1 family.",
         "Appeal time limits on Tuesday 18 March 2025: 1 family to call, 1 family to help today"),
    ],
)  # fmt: skip
def test_the_digest_says_families_and_decisions_apart(
    database: Database, tmp_path: Path, language: str, line: str, subject: str
) -> None:
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example", language)
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.beneficiary(conn, 2, "Jan Smet", None, advisor_id=1)  # no address: to call
        b.beneficiary(conn, 3, "Camille Dubois", "camille@mail.example", "fr", advisor_id=1)
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # 2 days left
        b.decision(conn, 2, 1, "care_allowance", date(2024, 12, 20))  # the same family, a second decision
        b.decision(conn, 3, 2, "care_allowance", date(2024, 12, 20))
        # arbitration, informed Sun 15 Dec: safe Mon 17 Mar, latest Tue 18 Mar: its last day is today
        b.decision(conn, 4, 3, "payment", date(2024, 12, 15), decided_on=date(2024, 12, 13))
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{database.url}"\n[notifier]\noutbox_dir = "outbox"\n', encoding="utf-8"
    )
    run_nightly(load_settings(path, {}), ON)
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (tmp_path / "outbox").rglob("*.eml")
    ]
    [digest] = [m for m in mails if "an.peeters@infino.example" in str(m["To"])]
    assert digest["Subject"] == subject
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert line in " ".join(text.split())
    html = digest.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert line in " ".join(html.split())
