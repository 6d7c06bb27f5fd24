"""Dutch (Nederlands, as written in Flanders). The reference language: translators start from this file."""

from __future__ import annotations

from jobs.phrases.schema import BodyPhrases, ContactLabels, Counted, KindPhrases, Phrases

PHRASES = Phrases(
    locale="nl_BE",
    first_of_month="1",
    weekday_format="EEEE d MMMM y",
    short_format="EEE d MMMM y",
    court_of_district="{court} van het gerechtelijk arrondissement waar u woont",
    district_note=" Volgens onze gegevens woont u in het gerechtelijk arrondissement {district}.",
    ask_advisor_court=" Uw klantadviseur zegt u welke rechtbank dat is.",
    divisions_note=" (afdelingen: {divisions})",
    either_court="{first} of de {second}, naar de taal waarin u de procedure voert",
    contact_labels=ContactLabels(phone="Telefoon", email="E-mail", post="Post", website="Website"),
    bodies={
        "fund": BodyPhrases(
            name="uitbetaler van het Groeipakket (uitbetalingsactor)",
            short="uitbetaler",
        ),
        "complaints_service": BodyPhrases(
            name="Klachten- en Bemiddelingsdienst van het Agentschap Uitbetaling Groeipakket",
            short="Klachten- en Bemiddelingsdienst",
        ),
        "ombudsman": BodyPhrases(
            name="Vlaamse Ombudsdienst",
            short="Vlaamse Ombudsdienst",
            phone_note="gratis nummer, elke werkdag van 9 tot 19 uur",
            in_person="U kunt er ook langsgaan, na afspraak.",
        ),
        "arbitration": BodyPhrases(
            name="Geschillencommissie (Kind en Gezin / Opgroeien)",
            short="Geschillencommissie",
            in_person="U kunt uw beroep daar ook zelf afgeven.",
            appeal="beroep instellen bij de Geschillencommissie van Kind en Gezin",
            how_to_file="Stuur uw beroep per e-mail of per post naar de Geschillencommissie, of geef het daar "
            "zelf af. Vermeld de referentie van de beslissing en leg uit waarom u het er niet mee eens bent.",
            cost_note="Een beroep bij de Geschillencommissie is gratis, tenzij het als ‘ongerechtvaardigd’ "
            "of ‘ongegrond’ wordt beschouwd.",
        ),
        "labour_court": BodyPhrases(
            name="arbeidsrechtbank",
            short="arbeidsrechtbank",
            appeal="beroep instellen bij de arbeidsrechtbank",
            how_to_file="Stuur een gedateerd en ondertekend verzoekschrift aangetekend naar de griffie van "
            "de {court}. U kunt het verzoekschrift ook zelf afgeven op de griffie.",
            request_holds="Het verzoekschrift vermeldt: uw naam en adres; {fund} als tegenpartij; de "
            "beslissing die u betwist (met haar referentie en datum) en waarom u het er niet mee eens bent; "
            "de datum en uw handtekening. Voeg een kopie van de beslissing bij.",
        ),
        "family_court": BodyPhrases(
            name="familierechtbank",
            short="familierechtbank",
            appeal="de zaak voorleggen aan de familierechtbank",
            how_to_file="Dien een gedateerd en ondertekend verzoekschrift in bij de griffie van de "
            "{court}: aangetekend per post, of zelf afgegeven op de griffie. Voeg een kopie van de "
            "beslissing bij.",
        ),
    },
    kinds={
        "payment": KindPhrases(
            label="betaling van het Groeipakket",
            phrase="de beslissing van {date} over de betaling van uw Groeipakket",
        ),
        "care_allowance": KindPhrases(
            label="zorgtoeslag",
            phrase="de beslissing van {date} over uw zorgtoeslag",
        ),
        "beneficiary_designation": KindPhrases(
            label="aanwijzing van de begunstigde",
            phrase="de beslissing van {date} over wie het Groeipakket krijgt (aanwijzing van de begunstigde)",
        ),
        "arbitration_ruling": KindPhrases(
            label="uitspraak van de Geschillencommissie",
            phrase="de uitspraak van {date} van de Geschillencommissie over uw beroep",
        ),
    },
    days_left=Counted(
        zero="Vandaag is de laatste dag.", one="Morgen is de laatste dag.", other="U hebt nog {n} dagen."
    ),
    days_left_short=Counted(zero="vandaag", one="nog 1 dag", other="nog {n} dagen"),
    stage=Counted(zero=None, one="herinnering 1 dag vooraf", other="herinnering {n} dagen vooraf"),
    unreachable_reasons={
        "missing": "geen e-mailadres",
        "invalid": "ongeldig e-mailadres",
    },
    reasons={
        "notification": (
            "U werd op {informed} op de hoogte gebracht van de beslissing; de termijn van {n} maanden begint "
            "de dag daarna (de dag van de kennisgeving zelf telt niet mee), zodat {appeal} uiterlijk op {safe} "
            "moet zijn ingediend."
        ),
        "third_day_after_informed": (
            "U werd op {informed} op de hoogte gebracht van de beslissing; de termijn van {n} maanden begint "
            "op de derde kalenderdag daarna, {trigger}, en die dag telt al als eerste dag, zodat {appeal} "
            "uiterlijk op {safe} moet zijn ingediend."
        ),
        "art89_four_months": (
            "De beslissing vermeldde niet hoe en binnen welke termijn u beroep kon instellen; daarom begint "
            "de termijn van {n} maanden pas 4 maanden nadat u ervan op de hoogte werd gebracht (op "
            "{informed}), dus op {trigger}, en die dag telt al als eerste dag, zodat {appeal} uiterlijk op "
            "{safe} moet zijn ingediend."
        ),
        "complaint_closed": (
            "Uw klacht bij de Klachten- en Bemiddelingsdienst werd op {restarted} afgesloten; daardoor loopt "
            "er een nieuwe termijn van {n} maanden {start}, zodat {appeal} uiterlijk op {safe} moet zijn "
            "ingediend."
        ),
    },
    starts={
        "third_day": "vanaf de derde kalenderdag daarna, {trigger}, die al als eerste dag telt",
        "notification": "vanaf de dag na die afsluiting",
    },
    appeal_noun={
        "arbitration": "uw beroep",
        "labour_court": "uw beroep",
        "family_court": "uw beroep",
    },
    appeal_noun_any="uw beroep",
)
