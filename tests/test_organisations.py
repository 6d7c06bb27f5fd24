"""The bodies (jobs.organisations) and their names and sentences (jobs.phrases), checked against shared/domain.md
and the fund's own page."""

from __future__ import annotations

import pytest

from deadlines.vocabulary import FORUMS, LANGUAGES
from deadlines.vocabulary import KINDS as DECISION_KINDS
from jobs.organisations import ORGANISATION_IDS, ORGANISATIONS
from jobs.phrases import PHRASES
from jobs.render import body_view

# "Who is who" in domain.md: these ids are the contract between the engine, the data and the mails.
DOMAIN_BODY_IDS = {"fund", "complaints_service", "ombudsman", "arbitration", "labour_court", "family_court"}
DOMAIN_KINDS = {"payment", "care_allowance", "beneficiary_designation", "arbitration_ruling"}


def test_it_knows_exactly_the_bodies_of_the_domain() -> None:
    assert set(ORGANISATIONS) == DOMAIN_BODY_IDS == set(ORGANISATION_IDS)
    assert all(set(PHRASES[lang].bodies) == DOMAIN_BODY_IDS for lang in LANGUAGES)
    assert set(FORUMS) == {"arbitration", "labour_court", "family_court"}


def test_it_knows_exactly_the_decision_kinds_of_the_contract() -> None:
    assert all(set(PHRASES[lang].kinds) == DOMAIN_KINDS == set(DECISION_KINDS) for lang in LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("body_id", sorted(DOMAIN_BODY_IDS))
def test_every_body_has_a_name_in_every_language(body_id: str, lang: str) -> None:
    body = PHRASES[lang].bodies[body_id]
    assert body.name.strip()
    assert body.short.strip()


# The official names (domain.md's table, the seed's French), and the established ones in German and English.
@pytest.mark.parametrize(
    ("body_id", "lang", "expected"),
    [
        (
            "complaints_service",
            "nl",
            "Klachten- en Bemiddelingsdienst van het Agentschap Uitbetaling Groeipakket",
        ),
        (
            "complaints_service",
            "fr",
            "Service des plaintes et de la médiation de l'Agence de paiement du Groeipakket",
        ),
        ("complaints_service", "en", "Complaints and Mediation Service of the Groeipakket Payment Agency"),
        ("complaints_service", "de", "Klachten- en Bemiddelingsdienst"),
        ("ombudsman", "nl", "Vlaamse Ombudsdienst"),
        ("ombudsman", "fr", "service de médiation flamand"),
        ("ombudsman", "de", "Flämischer Ombudsdienst"),
        ("ombudsman", "en", "Flemish Ombudsman"),
        ("arbitration", "nl", "Geschillencommissie"),
        ("arbitration", "fr", "Commission d'arbitrage"),
        ("arbitration", "de", "Schiedskommission"),
        ("arbitration", "en", "Arbitration Commission"),
        ("labour_court", "nl", "arbeidsrechtbank"),
        ("labour_court", "fr", "tribunal du travail"),
        ("labour_court", "de", "Arbeitsgericht"),
        ("labour_court", "en", "labour court"),
        ("family_court", "nl", "familierechtbank"),
        ("family_court", "fr", "tribunal de la famille"),
        ("family_court", "de", "Familiengericht"),
        ("family_court", "en", "family court"),
    ],
)
def test_a_body_carries_its_official_name(body_id: str, lang: str, expected: str) -> None:
    assert expected in PHRASES[lang].bodies[body_id].name


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("body_id", ["complaints_service", "ombudsman", "arbitration"])
def test_a_translated_name_keeps_the_dutch_name_a_family_can_look_up(body_id: str, lang: str) -> None:
    dutch = {
        "complaints_service": "Klachten- en Bemiddelingsdienst",
        "ombudsman": "Vlaamse Ombudsdienst",
        "arbitration": "Geschillencommissie",
    }[body_id]
    assert dutch in PHRASES[lang].bodies[body_id].name


# Contact details exactly as domain.md ("Who is who") and the seed give them.
@pytest.mark.parametrize(
    ("body_id", "phone", "email", "post"),
    [
        (
            "complaints_service",
            "02/897 10 60",
            "info@groeipakket.be",
            "Agentschap Uitbetaling Groeipakket, Klachten- en Bemiddelingsdienst, Trierstraat 9, 1000 Brussel",
        ),
        (
            "ombudsman",
            "1700",
            "info@vlaamseombudsdienst.be",
            "Vlaamse Ombudsdienst, Leuvenseweg 86, 1000 Brussel",
        ),
        (
            "arbitration",
            None,
            "geschillencommissie@kindengezin.be",
            "Kind en Gezin, Geschillencommissie, Hallepoortlaan 27, 1060 Brussel",
        ),
    ],
)
def test_a_body_has_the_contact_details_of_the_seed(
    body_id: str, phone: str | None, email: str, post: str
) -> None:
    contact = ORGANISATIONS[body_id]
    assert (contact.phone, contact.email, contact.post) == (phone, email, post)


@pytest.mark.parametrize(
    ("lang", "hours"),
    [("nl", "9 tot 19 uur"), ("fr", "9h à 19h"), ("de", "9 bis 19 Uhr"), ("en", "9:00 to 19:00")],
)
def test_the_ombudsman_number_says_it_is_free_on_working_days_from_9_to_19(lang: str, hours: str) -> None:
    note = PHRASES[lang].bodies["ombudsman"].phone_note
    assert note is not None
    assert hours in note


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_ombudsman_and_the_arbitration_commission_say_one_may_come_in_person(lang: str) -> None:
    for body_id in ("ombudsman", "arbitration"):
        in_person = PHRASES[lang].bodies[body_id].in_person
        assert in_person is not None and in_person.strip()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("forum", ["arbitration", "labour_court", "family_court"])
def test_every_forum_says_how_to_file_and_how_to_name_the_appeal(forum: str, lang: str) -> None:
    body = PHRASES[lang].bodies[forum]
    assert body.appeal is not None and body.appeal.strip()
    assert body.how_to_file is not None and body.how_to_file.strip()


# The seed: "une requête datée et signée par courrier recommandé au greffe du Tribunal du travail de
# l'arrondissement judiciaire ... Vous pouvez également y déposer directement votre requête."
@pytest.mark.parametrize(
    ("lang", "dated_and_signed", "registered", "registry", "district", "hand_in"),
    [
        (
            "nl",
            "gedateerd en ondertekend",
            "aangetekend",
            "griffie",
            "gerechtelijk arrondissement",
            "afgeven",
        ),
        ("fr", "datée et signée", "recommandé", "greffe", "arrondissement judiciaire", "déposer"),
        ("de", "datierte und unterzeichnete", "Einschreiben", "Kanzlei", "Gerichtsbezirk", "abgeben"),
        ("en", "dated and signed", "registered post", "registry", "judicial district", "hand it in"),
    ],
)
def test_the_labour_court_is_seized_by_a_dated_signed_request_by_registered_mail(
    lang: str, dated_and_signed: str, registered: str, registry: str, district: str, hand_in: str
) -> None:
    how = body_view("labour_court", lang)["how_to_file"]
    assert isinstance(how, str)
    for words in (dated_and_signed, registered, registry, district, hand_in):
        assert words in how


@pytest.mark.parametrize(
    ("lang", "court_of_the_district"),
    [
        ("nl", "familierechtbank van het gerechtelijk arrondissement waar u woont"),
        ("fr", "tribunal de la famille de l'arrondissement judiciaire de votre domicile"),
        ("de", "Familiengericht des Gerichtsbezirks, in dem Sie wohnen"),
        ("en", "family court of the judicial district where you live"),
    ],
)
def test_the_family_court_is_the_one_of_the_beneficiarys_judicial_district(
    lang: str, court_of_the_district: str
) -> None:
    assert court_of_the_district in str(body_view("family_court", lang)["how_to_file"])


@pytest.mark.parametrize("forum", ["labour_court", "family_court"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_known_judicial_district_is_named_and_an_unknown_one_leaves_no_placeholder(
    forum: str, lang: str
) -> None:
    # named in the mail's language, whichever language the fund recorded it in
    named = {"nl": "Leuven", "fr": "Louvain", "de": "Löwen", "en": "Leuven"}[lang]
    assert named in str(body_view(forum, lang, "Leuven")["how_to_file"])
    assert named in str(body_view(forum, lang, "Louvain")["how_to_file"])
    unknown = str(body_view(forum, lang, None)["how_to_file"])
    assert "{" not in unknown and "None" not in unknown


# domain.md: arbitration is "free of charge unless the appeal is judged unjustified or unfounded".
@pytest.mark.parametrize(
    ("lang", "unjustified", "unfounded"),
    [
        ("nl", "ongerechtvaardigd", "ongegrond"),
        ("fr", "injustifié", "infondé"),
        ("de", "ungerechtfertigt", "unbegründet"),
        ("en", "unjustified", "unfounded"),
    ],
)
def test_only_the_arbitration_commission_has_the_cost_note(
    lang: str, unjustified: str, unfounded: str
) -> None:
    bodies = PHRASES[lang].bodies
    note = bodies["arbitration"].cost_note
    assert note is not None
    assert unjustified in note and unfounded in note
    assert all(bodies[b].cost_note is None for b in DOMAIN_BODY_IDS - {"arbitration"})


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(DOMAIN_KINDS))
def test_every_decision_kind_has_a_label_and_a_dated_phrase_in_every_language(kind: str, lang: str) -> None:
    assert PHRASES[lang].kinds[kind].label.strip()
    assert "{date}" in PHRASES[lang].kinds[kind].phrase


@pytest.mark.parametrize(
    ("lang", "care_allowance"),
    [("nl", "zorgtoeslag"), ("fr", "supplément de soins"), ("de", "zorgtoeslag"), ("en", "care allowance")],
)
def test_the_care_allowance_is_called_by_its_name(lang: str, care_allowance: str) -> None:
    assert care_allowance in PHRASES[lang].kinds["care_allowance"].label


def test_body_view_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        body_view("ombudsman", "es")
