"""The bodies a family can turn to, and the decision kinds, in the four languages of the reminders.

Pure data, in one place, so a reader can check it line by line against shared/domain.md and the fund's own
page (shared/seed/infino-complaints-and-appeals.fr.txt). Contact details are copied exactly as the seed
gives them; postal addresses stay in their original Dutch form in every language (that is what the family
writes on the envelope). Where a translated name could leave a family unable to find the body, the Dutch
official name follows in brackets.

German: Belgium's German-language legal usage ("Arbeitsgericht", "Familiengericht", "Gerichtsbezirk",
"Kanzlei" for the court registry, "Antragschrift" for a verzoekschrift/requête). The Geschillencommissie
has no official German name that we know of; "Schiedskommission" follows the fund's French and English
("Commission d'arbitrage", "Arbitration Commission") and is always followed by the Dutch name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from deadlines import vocabulary
from deadlines.vocabulary import FORUMS as FORUMS
from deadlines.vocabulary import LANGUAGES

# Every language of the vocabulary, every forum (a body) and every kind have their texts here
# (tests/test_vocabulary.py); the bodies that are not forums come first.
BODY_IDS: Final = ("fund", "complaints_service", "ombudsman", *FORUMS)
DECISION_KINDS: Final = vocabulary.KINDS

Localized = Mapping[str, str]
"""One text per language code of LANGUAGES."""


@dataclass(frozen=True)
class Contact:
    """How to reach a body. Numbers, addresses and e-mail addresses exactly as the seed gives them."""

    phone: str | None = None
    phone_note: Localized | None = None  # when the line is open, whether it is free
    email: str | None = None
    post: str | None = None  # one line, original Dutch form
    in_person: Localized | None = None  # a sentence: whether one may come by or hand in


@dataclass(frozen=True)
class Body:
    """A body of domain.md's "Who is who".

    `name` is the official (or established) name; `short` the name for tables and subjects; `appeal` the
    verb phrase "lodge an appeal with <body>" in each language (article and preposition depend on the
    language and the body), set for forums only; `how_to_file` says how to lodge that appeal and may hold
    a `{district}` placeholder for the beneficiary's judicial district.
    """

    id: str
    name: Localized
    short: Localized
    contact: Contact = Contact()
    appeal: Localized | None = None
    how_to_file: Localized | None = None
    cost_note: Localized | None = None


BODIES: Final[Mapping[str, Body]] = {
    "fund": Body(
        id="fund",
        # The fund's own name (Infino) comes from config; this is what kind of body it is.
        name={
            "nl": "uitbetaler van het Groeipakket (uitbetalingsactor)",
            "fr": "caisse d'allocations familiales",
            "de": "Kasse für Familienbeihilfen (uitbetalingsactor)",
            "en": "family allowance fund (uitbetalingsactor)",
        },
        short={
            "nl": "uitbetaler",
            "fr": "caisse d'allocations familiales",
            "de": "Kasse für Familienbeihilfen",
            "en": "family allowance fund",
        },
    ),
    "complaints_service": Body(
        id="complaints_service",
        name={
            "nl": "Klachten- en Bemiddelingsdienst van het Agentschap Uitbetaling Groeipakket",
            "fr": "Service des plaintes et de la médiation de l'Agence de paiement du Groeipakket",
            "de": "Beschwerde- und Vermittlungsdienst der Auszahlungsagentur Groeipakket "
            "(Klachten- en Bemiddelingsdienst, Agentschap Uitbetaling Groeipakket)",
            "en": "Complaints and Mediation Service of the Groeipakket Payment Agency "
            "(Klachten- en Bemiddelingsdienst, Agentschap Uitbetaling Groeipakket)",
        },
        short={
            "nl": "Klachten- en Bemiddelingsdienst",
            "fr": "Service des plaintes et de la médiation",
            "de": "Beschwerde- und Vermittlungsdienst",
            "en": "Complaints and Mediation Service",
        },
        contact=Contact(
            phone="02/897 10 60",
            email="info@groeipakket.be",
            post="Agentschap Uitbetaling Groeipakket, Klachten- en Bemiddelingsdienst, Trierstraat 9, 1000 Brussel",
        ),
    ),
    "ombudsman": Body(
        id="ombudsman",
        name={
            "nl": "Vlaamse Ombudsdienst",
            "fr": "service de médiation flamand (Vlaamse Ombudsdienst)",
            "de": "Flämischer Ombudsdienst (Vlaamse Ombudsdienst)",
            "en": "Flemish Ombudsman (Vlaamse Ombudsdienst)",
        },
        short={
            "nl": "Vlaamse Ombudsdienst",
            "fr": "service de médiation flamand",
            "de": "Flämischer Ombudsdienst",
            "en": "Flemish Ombudsman",
        },
        contact=Contact(
            phone="1700",
            phone_note={
                "nl": "gratis nummer, elke werkdag van 9 tot 19 uur",
                "fr": "numéro gratuit, chaque jour ouvrable de 9h à 19h",
                "de": "kostenlose Rufnummer, werktags von 9 bis 19 Uhr",
                "en": "free number, working days from 9:00 to 19:00",
            },
            email="info@vlaamseombudsdienst.be",
            post="Vlaamse Ombudsdienst, Leuvenseweg 86, 1000 Brussel",
            in_person={
                "nl": "U kunt er ook langsgaan, na afspraak.",
                "fr": "Vous pouvez aussi vous y rendre, sur rendez-vous.",
                "de": "Ein Besuch vor Ort ist nach Terminvereinbarung möglich.",
                "en": "You can also visit them in person, by appointment.",
            },
        ),
    ),
    "arbitration": Body(
        id="arbitration",
        name={
            "nl": "Geschillencommissie (Kind en Gezin / Opgroeien)",
            "fr": "Commission d'arbitrage (Geschillencommissie de Kind en Gezin)",
            "de": "Schiedskommission (Geschillencommissie) von Kind en Gezin",
            "en": "Arbitration Commission (Geschillencommissie) of Kind en Gezin",
        },
        short={
            "nl": "Geschillencommissie",
            "fr": "Commission d'arbitrage",
            "de": "Schiedskommission",
            "en": "Arbitration Commission",
        },
        appeal={
            "nl": "beroep aantekenen bij de Geschillencommissie van Kind en Gezin",
            "fr": "introduire un recours auprès de la Commission d'arbitrage (Geschillencommissie)",
            "de": "Einspruch bei der Schiedskommission (Geschillencommissie) von Kind en Gezin einlegen",
            "en": "appeal to the Arbitration Commission (Geschillencommissie) of Kind en Gezin",
        },
        contact=Contact(
            email="geschillencommissie@kindengezin.be",
            post="Kind en Gezin, Geschillencommissie, Hallepoortlaan 27, 1060 Brussel",
            in_person={
                "nl": "U kunt uw beroep daar ook zelf afgeven.",
                "fr": "Vous pouvez aussi y déposer vous-même votre recours.",
                "de": "Sie können Ihren Einspruch dort auch persönlich abgeben.",
                "en": "You can also hand in your appeal there yourself.",
            },
        ),
        how_to_file={
            "nl": "Stuur uw beroep per e-mail of per post naar de Geschillencommissie. "
            "Vermeld het nummer van de beslissing en leg uit waarom u het er niet mee eens bent.",
            "fr": "Envoyez votre recours par e-mail ou par courrier à la Commission d'arbitrage. "
            "Indiquez le numéro de la décision et expliquez pourquoi vous n'êtes pas d'accord.",
            "de": "Senden Sie Ihren Einspruch per E-Mail oder per Post an die Schiedskommission. "
            "Geben Sie die Nummer der Entscheidung an und erklären Sie, warum Sie nicht einverstanden sind.",
            "en": "Send your appeal by e-mail or by post to the Arbitration Commission. "
            "Mention the decision number and explain why you disagree.",
        },
        cost_note={
            "nl": "Een beroep bij de Geschillencommissie is gratis, tenzij het als ‘ongerechtvaardigd’ "
            "of ‘ongegrond’ wordt beschouwd.",
            "fr": "Le recours à la Commission d'arbitrage est gratuit, sauf s'il est considéré comme "
            "« injustifié » ou « infondé ».",
            "de": "Der Einspruch bei der Schiedskommission ist kostenlos, es sei denn, er wird als "
            "„ungerechtfertigt“ oder „unbegründet“ eingestuft.",
            "en": "An appeal to the Arbitration Commission is free of charge, unless it is judged "
            "‘unjustified’ or ‘unfounded’.",
        },
    ),
    "labour_court": Body(
        id="labour_court",
        name={
            "nl": "arbeidsrechtbank",
            "fr": "tribunal du travail",
            "de": "Arbeitsgericht (arbeidsrechtbank)",
            "en": "labour court (arbeidsrechtbank)",
        },
        short={
            "nl": "arbeidsrechtbank",
            "fr": "tribunal du travail",
            "de": "Arbeitsgericht",
            "en": "labour court",
        },
        appeal={
            "nl": "beroep aantekenen bij de arbeidsrechtbank",
            "fr": "introduire un recours auprès du tribunal du travail",
            "de": "Klage beim Arbeitsgericht (arbeidsrechtbank) einreichen",
            "en": "appeal to the labour court (arbeidsrechtbank)",
        },
        how_to_file={
            "nl": "Stuur een gedateerd en ondertekend verzoekschrift aangetekend naar de griffie van de "
            "arbeidsrechtbank van het gerechtelijk arrondissement waar u woont{district}. "
            "U kunt het verzoekschrift ook zelf afgeven op de griffie.",
            "fr": "Envoyez une requête datée et signée par courrier recommandé au greffe du tribunal du "
            "travail de l'arrondissement judiciaire de votre domicile{district}. "
            "Vous pouvez aussi déposer vous-même la requête au greffe.",
            "de": "Senden Sie eine datierte und unterzeichnete Antragschrift (verzoekschrift) per Einschreiben an "
            "die Kanzlei (griffie) des Arbeitsgerichts des Gerichtsbezirks, in dem Sie wohnen{district}. "
            "Sie können die Antragschrift auch persönlich in der Kanzlei abgeben.",
            "en": "Send a dated and signed application (verzoekschrift) by registered mail to the "
            "registry (griffie) of the labour court of the judicial district where you live{district}. "
            "You can also hand it in at the registry yourself.",
        },
    ),
    "family_court": Body(
        id="family_court",
        name={
            "nl": "familierechtbank",
            "fr": "tribunal de la famille",
            "de": "Familiengericht (familierechtbank)",
            "en": "family court (familierechtbank)",
        },
        short={
            "nl": "familierechtbank",
            "fr": "tribunal de la famille",
            "de": "Familiengericht",
            "en": "family court",
        },
        appeal={
            "nl": "de zaak voorleggen aan de familierechtbank",
            "fr": "porter l'affaire devant le tribunal de la famille",
            "de": "das Familiengericht (familierechtbank) anrufen",
            "en": "take the matter to the family court (familierechtbank)",
        },
        how_to_file={
            "nl": "Wend u tot de familierechtbank van het gerechtelijk arrondissement waar u woont{district}.",
            "fr": "Adressez-vous au tribunal de la famille de l'arrondissement judiciaire de votre "
            "domicile{district}.",
            "de": "Wenden Sie sich an das Familiengericht des Gerichtsbezirks, in dem Sie wohnen{district}.",
            "en": "Apply to the family court of the judicial district where you live{district}.",
        },
    ),
}

DISTRICT_NOTE: Final[Localized] = {
    "nl": " (volgens onze gegevens: {district})",
    "fr": " (selon nos informations : {district})",
    "de": " (laut unseren Unterlagen: {district})",
    "en": " (according to our records: {district})",
}
"""Appended where `how_to_file` says `{district}`, when the beneficiary's judicial district is known."""

CONTACT_LABELS: Final[Mapping[str, Localized]] = {
    "phone": {"nl": "Telefoon", "fr": "Téléphone", "de": "Telefon", "en": "Phone"},
    "email": {"nl": "E-mail", "fr": "E-mail", "de": "E-Mail", "en": "E-mail"},
    "post": {"nl": "Post", "fr": "Courrier", "de": "Post", "en": "Post"},
    "website": {"nl": "Website", "fr": "Site web", "de": "Website", "en": "Website"},
}


@dataclass(frozen=True)
class DecisionKind:
    """`label` names the kind in a table; `phrase` is "the decision of {date} about ..." in a sentence."""

    id: str
    label: Localized
    phrase: Localized


KINDS: Final[Mapping[str, DecisionKind]] = {
    "payment": DecisionKind(
        id="payment",
        label={
            "nl": "betaling van het Groeipakket",
            "fr": "paiement du Groeipakket",
            "de": "Auszahlung des Groeipakket",
            "en": "Groeipakket payment",
        },
        phrase={
            "nl": "de beslissing van {date} over de betaling van uw Groeipakket",
            "fr": "la décision du {date} relative au paiement de votre Groeipakket",
            "de": "die Entscheidung vom {date} über die Auszahlung Ihres Groeipakket",
            "en": "the decision of {date} on the payment of your Groeipakket",
        },
    ),
    "care_allowance": DecisionKind(
        id="care_allowance",
        label={
            "nl": "zorgtoeslag",
            "fr": "allocation de soins (zorgtoeslag)",
            "de": "Pflegezulage (zorgtoeslag)",
            "en": "care allowance (zorgtoeslag)",
        },
        phrase={
            "nl": "de beslissing van {date} over uw zorgtoeslag",
            "fr": "la décision du {date} relative à votre allocation de soins (zorgtoeslag)",
            "de": "die Entscheidung vom {date} über Ihre Pflegezulage (zorgtoeslag)",
            "en": "the decision of {date} on your care allowance (zorgtoeslag)",
        },
    ),
    "beneficiary_designation": DecisionKind(
        id="beneficiary_designation",
        label={
            "nl": "aanwijzing van de begunstigde",
            "fr": "désignation du bénéficiaire",
            "de": "Bestimmung des Begünstigten",
            "en": "designation of the beneficiary",
        },
        phrase={
            "nl": "de beslissing van {date} over wie het Groeipakket krijgt (aanwijzing van de begunstigde)",
            "fr": "la décision du {date} relative à la personne à qui le Groeipakket est versé "
            "(désignation du bénéficiaire)",
            "de": "die Entscheidung vom {date} darüber, wer das Groeipakket erhält "
            "(Bestimmung des Begünstigten)",
            "en": "the decision of {date} on who receives the Groeipakket (designation of the beneficiary)",
        },
    ),
    "arbitration_ruling": DecisionKind(
        id="arbitration_ruling",
        label={
            "nl": "uitspraak van de Geschillencommissie",
            "fr": "décision de la Commission d'arbitrage",
            "de": "Entscheidung der Schiedskommission",
            "en": "Arbitration Commission ruling",
        },
        phrase={
            "nl": "de uitspraak van {date} van de Geschillencommissie over uw beroep",
            "fr": "la décision du {date} de la Commission d'arbitrage sur votre recours",
            "de": "die Entscheidung der Schiedskommission vom {date} zu Ihrem Einspruch",
            "en": "the Arbitration Commission's ruling of {date} on your appeal",
        },
    ),
}


def contact_lines(lang: str, **values: str | None) -> list[tuple[str, str, str]]:
    """`(what, label, value)` for each non-empty value, `what` one of CONTACT_LABELS ("phone", "email",
    "post", "website"), in that order, so templates can link an e-mail address or a website."""
    return [(what, CONTACT_LABELS[what][lang], v) for what in CONTACT_LABELS if (v := values.get(what))]


def body_view(body_id: str, lang: str, district: str | None = None) -> dict[str, object]:
    """One body flattened to plain strings in `lang`, as the templates read it.

    `contact` is a list of `(what, label, value)` lines (see `contact_lines`: phone with its note,
    e-mail, post), `in_person` a sentence or "", and the forum fields ("appeal", "how_to_file", "cost_note") are "" for non-forums.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    body = BODIES[body_id]
    c = body.contact
    phone = f"{c.phone} ({c.phone_note[lang]})" if c.phone and c.phone_note else c.phone
    lines = contact_lines(lang, phone=phone, email=c.email, post=c.post)
    note = DISTRICT_NOTE[lang].format(district=district) if district else ""
    return {
        "id": body.id,
        "name": body.name[lang],
        "short": body.short[lang],
        "phone": c.phone or "",
        "email": c.email or "",
        "post": c.post or "",
        "contact": lines,
        "in_person": c.in_person[lang] if c.in_person else "",
        "appeal": body.appeal[lang] if body.appeal else "",
        "how_to_file": body.how_to_file[lang].format(district=note) if body.how_to_file else "",
        "cost_note": body.cost_note[lang] if body.cost_note else "",
    }
