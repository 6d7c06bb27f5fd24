"""The advisors' digest of a night whose answers are worked out by hand (issue 9): one block per family, with
the family's language and phone, both deadlines with their weekday, e-mailed tonight or to call, open
complaints, rules needing confirmation, and what is still possible after the safe deadline (grace).

Two nights run, Sunday 16 and Monday 17 March 2025, so that Monday has a family with an address that gets no
reminder that night. Both parts of Monday's digests are parsed: the HTML into blocks by their classes, the
text into blocks by their "== name ==" headings.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
from sqlalchemy import Engine

import jobs.nightly as nightly
from jobs.commands.run import run_nightly
from jobs.config import Settings, load_settings

import builders as b

ON = date(2025, 3, 17)  # a Monday
EVE = date(2025, 3, 16)
PHONES = {1: "0470 12 34 56", 6: "+32 87 55 44 33"}  # beneficiaries.phone, an optional contract column


def crafted(engine: Engine) -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an@infino.example", "nl")
        b.advisor(conn, 2, "Bart Lambert", "bart@infino.example", "fr")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", "nl", advisor_id=1)
        b.beneficiary(conn, 2, "Camille Dubois", None, "fr", advisor_id=1)
        b.beneficiary(conn, 3, "Karim Nasser", "karim@mail.example", "en", advisor_id=1)
        b.beneficiary(conn, 6, "Lukas Schmitz", "lukas@mail.example", "de", advisor_id=2)
        # care_allowance: labour court, safe = notified + 3 months; last day = the same, moved past a weekend.
        # d1: safe Thu 20 March. Sunday (4 left): family stage 7 and advisor stage 14 sent. Monday (3 left):
        # the advisor's stage 3, nothing for the family: "last reminded on Sunday 16 March" (stage 7).
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))
        # d2: a payment decided under the old law (2018): labour court from notification, needs confirmation.
        # Safe Mon 31 March: Sunday 15 left (family stage 30); Monday 14 left: family and advisor stage 14.
        b.decision(conn, 2, 1, "payment", date(2024, 12, 31), decided_on=date(2018, 6, 1))
        # d3: a payment (arbitration) with a complaint open since Mon 3 February: interrupted, no deadline.
        b.decision(conn, 3, 1, "payment", date(2025, 1, 6), decided_on=date(2025, 1, 3))
        b.complaint(conn, 3, date(2025, 2, 3))
        # d4: Camille, no e-mail; safe Mon 24 March, Monday 7 left: her stage 7 is due, to call.
        b.decision(conn, 4, 2, "care_allowance", date(2024, 12, 24))
        # d5: Karim, safe Sat 15 March passed; last day Mon 17 March: in grace, still possible today.
        b.decision(conn, 5, 3, "care_allowance", date(2024, 12, 15))
        # d6: Bart's family, safe Mon 31 March, 14 left on Monday: family and advisor stage 14.
        b.decision(conn, 6, 6, "care_allowance", date(2024, 12, 31))


@pytest.fixture
def with_phones(monkeypatch: pytest.MonkeyPatch) -> None:
    """`beneficiaries.phone` on the people frame, as the branch that reads the optional column gives it."""
    read_night = nightly.read_night

    def with_phone(*args: Any, **kwargs: Any) -> Any:
        windows, people, problems, read = read_night(*args, **kwargs)
        ids = people.beneficiaries["id"].astype("int64")
        people.beneficiaries = people.beneficiaries.assign(
            phone=pd.Series([PHONES.get(int(i)) for i in ids], index=people.beneficiaries.index, dtype=object)
        )
        return windows, people, problems, read

    monkeypatch.setattr(nightly, "read_night", with_phone)


def settings_for(tmp_path: Path, url: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[notifier]\nkind = "file"\noutbox_dir = "outbox"\n'
        f'[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    return load_settings(path, environ={})


def digests_of(settings: Settings, on: date) -> dict[str, email.message.EmailMessage]:
    """The night's digests by advisor address (a digest's Message-ID names its night)."""
    found = {}
    for path in sorted(settings.resolve(settings.notifier.outbox_dir).glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if mail["X-Appealwatch-Kind"] == "digest" and f".{on:%Y%m%d}." in mail["Message-ID"]:
            found[mail["To"].addresses[0].addr_spec] = mail
    return found  # type: ignore[return-value]


# --- Parsing the two parts into blocks -------------------------------------------------------------


@dataclass
class Node:
    tag: str
    classes: set[str]
    children: list[Node | str] = field(default_factory=list)

    def raw(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw() for c in self.children)

    def text(self) -> str:
        return " ".join(self.raw().split())

    def find(self, cls: str) -> list[Node]:
        out = []
        for c in self.children:
            if isinstance(c, Node):
                out += [c] if cls in c.classes else []
                out += c.find(cls)
        return out


class _Tree(HTMLParser):
    VOID: ClassVar[frozenset[str]] = frozenset({"br", "meta", "img", "hr", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root", set())
        self.stack = [self.root]
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += tag == "a" or any(k == "href" for k, _ in attrs)
        node = Node(tag, set((dict(attrs).get("class") or "").split()))
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def html_of(mail: email.message.EmailMessage) -> _Tree:
    tree = _Tree()
    tree.feed(mail.get_body(("html",)).get_content())  # type: ignore[union-attr]
    return tree


def text_of(mail: email.message.EmailMessage) -> str:
    return str(mail.get_body(("plain",)).get_content()).replace("\r\n", "\n")  # type: ignore[union-attr]


def html_families(mail: email.message.EmailMessage) -> dict[str, Node]:
    return {f.find("family-name")[0].text(): f for f in html_of(mail).root.find("family")}


def text_families(mail: email.message.EmailMessage) -> dict[str, str]:
    """Each family's block of the text part: from its "== name ==" heading to the next, or to the footer."""
    parts = text_of(mail).split("\n== ")[1:]
    blocks = {}
    for part in parts:
        name, _, rest = part.partition(" ==\n")
        blocks[name] = rest.split("\n\n\n")[0]
    return blocks


@pytest.fixture
def night(db_engine: Engine, db_url: str, tmp_path: Path, with_phones: None) -> dict[str, Any]:
    settings = settings_for(tmp_path, db_url)
    crafted(db_engine)
    assert run_nightly(settings, EVE) == 0
    assert run_nightly(settings, ON) == 0
    return digests_of(settings, ON)


# --- The night ---------------------------------------------------------------------------------------


def test_it_sends_one_digest_per_advisor_in_the_advisors_language(night: dict[str, Any]) -> None:
    assert set(night) == {"an@infino.example", "bart@infino.example"}
    assert night["an@infino.example"]["Content-Language"] == "nl"
    assert night["bart@infino.example"]["Content-Language"] == "fr"
    assert "maandag 17 maart 2025" in night["an@infino.example"]["Subject"]
    assert "lundi 17 mars 2025" in night["bart@infino.example"]["Subject"]


def test_it_groups_decisions_per_family_most_urgent_first(night: dict[str, Any]) -> None:
    an = night["an@infino.example"]
    # Karim's last day is today, Els's first safe deadline Thursday, Camille's next Monday.
    order = ["Karim Nasser", "Els Maes", "Camille Dubois"]
    assert list(html_families(an)) == order
    assert list(text_families(an)) == order
    els = html_families(an)["Els Maes"]
    assert [d.text().split(",")[0] for d in els.find("decision")] == ["Beslissing 1", "Beslissing 2"]
    assert [c.text().split(",")[0] for c in els.find("complaint")] == ["Beslissing 3"]
    assert list(html_families(night["bart@infino.example"])) == ["Lukas Schmitz"]


def test_each_family_shows_its_language_and_its_phone_only_when_recorded(night: dict[str, Any]) -> None:
    an = html_families(night["an@infino.example"])
    langs = {name: [n.text() for n in f.find("family-lang")] for name, f in an.items()}
    phones = {name: [n.text() for n in f.find("family-phone")] for name, f in an.items()}
    assert langs == {"Karim Nasser": ["Engels"], "Els Maes": ["Nederlands"], "Camille Dubois": ["Frans"]}
    assert phones == {"Karim Nasser": [], "Els Maes": ["0470 12 34 56"], "Camille Dubois": []}
    text = text_families(night["an@infino.example"])
    assert "Taal: Nederlands\nTelefoon: 0470 12 34 56\n" in text["Els Maes"]
    assert "Taal: Frans\n" in text["Camille Dubois"] and "Telefoon" not in text["Camille Dubois"]
    bart = night["bart@infino.example"]
    lukas = html_families(bart)["Lukas Schmitz"]
    assert [n.text() for n in lukas.find("family-lang")] == ["allemand"]
    assert [n.text() for n in lukas.find("family-phone")] == ["+32 87 55 44 33"]
    assert "Langue : allemand\nTéléphone : +32 87 55 44 33\n" in text_families(bart)["Lukas Schmitz"]


# One statement per decision: both deadlines with their weekday, the days left beside the safe one, and
# what was done for the family that night.
STATEMENTS = {
    1: ("Arbeidsrechtbank: veilige datum donderdag 20 maart 2025 (nog 3 dagen); "
        "uiterste datum donderdag 20 maart 2025.", "Gezin: laatst herinnerd op zondag 16 maart 2025."),
    2: ("Arbeidsrechtbank: veilige datum maandag 31 maart 2025 (nog 14 dagen); "
        "uiterste datum maandag 31 maart 2025.", "Gezin: vannacht per e-mail herinnerd."),
    4: ("Arbeidsrechtbank: veilige datum maandag 24 maart 2025 (nog 7 dagen); "
        "uiterste datum maandag 24 maart 2025.", "Gezin: geen e-mailadres. Graag bellen of schrijven."),
}  # fmt: skip
CONFIRM_NL = "Let op: de regel voor deze termijn moet nog juridisch bevestigd worden."


@pytest.mark.parametrize("decision", sorted(STATEMENTS))
def test_each_decision_has_both_deadlines_with_weekday_and_what_the_family_got(
    night: dict[str, Any], decision: int
) -> None:
    deadlines, family = STATEMENTS[decision]
    an = night["an@infino.example"]
    blocks = [d for f in html_families(an).values() for d in f.find("decision")]
    (block,) = [d for d in blocks if d.text().startswith(f"Beslissing {decision},")]
    assert [p.text() for p in block.find("deadlines")] == [deadlines]
    assert [p.text() for p in block.find("family-state")] == [family]
    assert [p.text() for p in block.find("confirm")] == ([CONFIRM_NL] if decision == 2 else [])
    text = "\n".join(text_families(an).values())
    entry = text.split(f"* Beslissing {decision},")[1].split("\n* ")[0]
    assert f"  {deadlines}\n  {family}\n" in entry + "\n"
    assert (CONFIRM_NL in entry) == (decision == 2)
    assert "herinnering 3 dagen vooraf" not in text and "herinnering 14 dagen vooraf" not in text


def test_an_open_complaint_is_listed_in_the_familys_block(night: dict[str, Any]) -> None:
    an = night["an@infino.example"]
    (complaint,) = html_families(an)["Els Maes"].find("complaint")
    assert "Klacht open sinds maandag 3 februari 2025: de termijn is onderbroken." in complaint.text()
    assert "Klacht open sinds maandag 3 februari 2025" in text_families(an)["Els Maes"]


def test_a_window_in_grace_is_still_possible_until_its_last_day(night: dict[str, Any]) -> None:
    an = night["an@infino.example"]
    karim = html_families(an)["Karim Nasser"]
    (grace,) = karim.find("grace")
    assert grace.text().startswith(
        "Nog mogelijk tot maandag 17 maart 2025 (vandaag) Beslissing 5, zorgtoeslag"
    )
    assert "De veilige datum (zaterdag 15 maart 2025) is voorbij." in grace.text()
    assert karim.find("decision") == []  # nothing else of his is due
    assert (
        "NOG MOGELIJK TOT maandag 17 maart 2025 (vandaag)\n* Beslissing 5,"
        in text_families(an)["Karim Nasser"]
    )
    assert "Nog mogelijk na de veilige datum: 1 gezin." in text_of(an)


def test_the_french_digest_says_the_same_in_french(night: dict[str, Any]) -> None:
    bart = night["bart@infino.example"]
    (decision,) = html_families(bart)["Lukas Schmitz"].find("decision")
    assert [p.text() for p in decision.find("deadlines")] == [
        "Tribunal du travail : date sûre lundi 31 mars 2025 (encore 14 jours) ; date ultime lundi 31 mars 2025."
    ]
    assert [p.text() for p in decision.find("family-state")] == [
        "Famille : rappel envoyé par e-mail cette nuit."
    ]
    # the report calls it a "récapitulatif"; so does the digest itself (not "aperçu")
    intro = text_of(bart).split("\n\n")[1]
    assert intro.startswith("Voici votre récapitulatif du ") and "aperçu" not in text_of(bart)


def test_the_digest_is_link_free_and_one_column(night: dict[str, Any]) -> None:
    for mail in night.values():
        tree = html_of(mail)
        assert tree.links == 0
        assert not any(isinstance(n, Node) and n.tag == "table" for n in _walk(tree.root))
        assert "http" not in text_of(mail) and "mailto" not in text_of(mail)
        assert (
            max(
                len(line)
                for line in text_of(mail).splitlines()
                if not line.startswith(("Veilige", "Date sûre"))
            )
            < 200
        )


def _walk(node: Node) -> list[Node | str]:
    out: list[Node | str] = []
    for c in node.children:
        out.append(c)
        if isinstance(c, Node):
            out += _walk(c)
    return out
