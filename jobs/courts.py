"""Which court hears a family's appeal, by judicial district: the table of domain.md ("Which court, by judicial
district"), as data in one place.

Since the 2014 reform (law of 1 December 2013; KB 14 March 2014 on the divisions) Belgium has twelve judicial
districts. A labour court serves one or more of them; the family court is a section of the district's court of
first instance. A reminder names the court itself ("arbeidsrechtbank Gent"), never "the labour court of the
district West-Vlaanderen", which does not exist. Sources: rechtbanken-tribunaux.be (each court's page lists its
divisions); KB 14 March 2014.

Brussels has a Dutch-speaking and a French-speaking court; the language of the proceedings decides. A Dutch
reminder names the Dutch-speaking court, a French one the French-speaking court, and a German or English one
names both. `beneficiaries.judicial_district` may be written in Dutch or French, in any case, with or without
hyphens; an unknown or empty district gives None, and the mail falls back to its generic sentence and the
advisor.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from deadlines.rules import CourtKind

__all__ = [
    "DISTRICTS",
    "LABOUR_COURTS",
    "Court",
    "District",
    "court_for",
    "district_in_words",
    "district_key",
    "find_district",
]


@dataclass(frozen=True)
class Court:
    """One court, named in each language (nl, fr, de, en) without an article, as its own pages name it."""

    names: Mapping[str, str]


@dataclass(frozen=True)
class District:
    """One judicial district: its name in each language, its labour court, the labour court's divisions in it,
    and its court of first instance (whose section is the family court)."""

    names: Mapping[str, str]
    labour_court: str  # a key of LABOUR_COURTS
    divisions: tuple[str, ...]
    first_instance: Court
    after_noun: Mapping[str, str]
    """The name as a sentence writes it after the word for a judicial district, per language: French with its
    preposition and article ("l'arrondissement judiciaire d'Anvers", "du Hainaut", "de Liège"), Dutch and
    German bare ("het gerechtelijk arrondissement Antwerpen", "im Gerichtsbezirk Eupen"), English after
    "of" ("the judicial district of Antwerp")."""


def _c(nl: str, fr: str, de: str, en: str) -> Court:
    return Court({"nl": nl, "fr": fr, "de": de, "en": en})


LABOUR_COURTS: Final[Mapping[str, Court]] = {
    "antwerpen": _c("arbeidsrechtbank Antwerpen", "tribunal du travail d'Anvers", "Arbeitsgericht Antwerpen",
                    "Antwerp Labour Court (arbeidsrechtbank Antwerpen)"),
    "gent": _c("arbeidsrechtbank Gent", "tribunal du travail de Gand", "Arbeitsgericht Gent",
               "Ghent Labour Court (arbeidsrechtbank Gent)"),
    "leuven": _c("arbeidsrechtbank Leuven", "tribunal du travail de Louvain", "Arbeitsgericht Löwen",
                 "Leuven Labour Court (arbeidsrechtbank Leuven)"),
    "brussel_nl": _c("Nederlandstalige arbeidsrechtbank Brussel",
                     "tribunal du travail néerlandophone de Bruxelles (Nederlandstalige arbeidsrechtbank Brussel)",
                     "niederländischsprachiges Arbeitsgericht Brüssel (Nederlandstalige arbeidsrechtbank Brussel)",
                     "Dutch-speaking Brussels Labour Court (Nederlandstalige arbeidsrechtbank Brussel)"),
    "brussel_fr": _c("Franstalige arbeidsrechtbank Brussel (tribunal du travail francophone de Bruxelles)",
                     "tribunal du travail francophone de Bruxelles",
                     "französischsprachiges Arbeitsgericht Brüssel (tribunal du travail francophone de Bruxelles)",
                     "French-speaking Brussels Labour Court (tribunal du travail francophone de Bruxelles)"),
    "waals_brabant": _c("arbeidsrechtbank Waals-Brabant (tribunal du travail du Brabant wallon)",
                        "tribunal du travail du Brabant wallon",
                        "Arbeitsgericht Wallonisch-Brabant (tribunal du travail du Brabant wallon)",
                        "Walloon Brabant Labour Court (tribunal du travail du Brabant wallon)"),
    "henegouwen": _c("arbeidsrechtbank Henegouwen (tribunal du travail du Hainaut)", "tribunal du travail du Hainaut",
                     "Arbeitsgericht Hennegau (tribunal du travail du Hainaut)",
                     "Hainaut Labour Court (tribunal du travail du Hainaut)"),
    "luik": _c("arbeidsrechtbank Luik (tribunal du travail de Liège)", "tribunal du travail de Liège",
               "Arbeitsgericht Lüttich (tribunal du travail de Liège)",
               "Liège Labour Court (tribunal du travail de Liège)"),
    "eupen": _c("arbeidsrechtbank Eupen (Arbeitsgericht Eupen)", "tribunal du travail d'Eupen", "Arbeitsgericht Eupen",
                "Eupen Labour Court (Arbeitsgericht Eupen)"),
}  # fmt: skip
"""The labour courts. Brussels has two (keys ending _nl and _fr); see `court_for`."""


def _d(
    names: tuple[str, str, str, str], fr_after: str, labour: str, divisions: tuple[str, ...], first: Court
) -> District:
    """A district from its four names, the French form after "arrondissement judiciaire" (spelled out per
    district, never guessed from the first letter: "du Limbourg", "de Liège", "d'Eupen"), its labour court,
    divisions and court of first instance."""
    by_lang = dict(zip(("nl", "fr", "de", "en"), names, strict=True))
    return District(by_lang, labour, divisions, first, {**by_lang, "fr": fr_after})


DISTRICTS: Final[tuple[District, ...]] = (
    _d(("Antwerpen", "Anvers", "Antwerpen", "Antwerp"), "d'Anvers", "antwerpen",
       ("Antwerpen", "Mechelen", "Turnhout"),
       _c("rechtbank van eerste aanleg Antwerpen", "tribunal de première instance d'Anvers",
          "Gericht Erster Instanz Antwerpen", "Antwerp Court of First Instance")),
    _d(("Limburg", "Limbourg", "Limburg", "Limburg"), "du Limbourg", "antwerpen", ("Hasselt", "Tongeren"),
       _c("rechtbank van eerste aanleg Limburg", "tribunal de première instance du Limbourg",
          "Gericht Erster Instanz Limburg", "Limburg Court of First Instance")),
    _d(("Oost-Vlaanderen", "Flandre orientale", "Ostflandern", "East Flanders"), "de Flandre orientale", "gent",
       ("Aalst", "Dendermonde", "Gent", "Oudenaarde", "Sint-Niklaas"),
       _c("rechtbank van eerste aanleg Oost-Vlaanderen", "tribunal de première instance de Flandre orientale",
          "Gericht Erster Instanz Ostflandern", "East Flanders Court of First Instance")),
    _d(("West-Vlaanderen", "Flandre occidentale", "Westflandern", "West Flanders"), "de Flandre occidentale",
       "gent",
       ("Brugge", "Ieper", "Kortrijk", "Roeselare", "Veurne"),
       _c("rechtbank van eerste aanleg West-Vlaanderen", "tribunal de première instance de Flandre occidentale",
          "Gericht Erster Instanz Westflandern", "West Flanders Court of First Instance")),
    _d(("Leuven", "Louvain", "Löwen", "Leuven"), "de Louvain", "leuven", (),
       _c("rechtbank van eerste aanleg Leuven", "tribunal de première instance de Louvain",
          "Gericht Erster Instanz Löwen", "Leuven Court of First Instance")),
    _d(("Brussel", "Bruxelles", "Brüssel", "Brussels"), "de Bruxelles", "brussel", (),
       _c("Nederlandstalige rechtbank van eerste aanleg Brussel", "tribunal de première instance francophone de "
          "Bruxelles", "Gericht Erster Instanz Brüssel", "Brussels Court of First Instance")),
    _d(("Waals-Brabant", "Brabant wallon", "Wallonisch-Brabant", "Walloon Brabant"), "du Brabant wallon",
       "waals_brabant",
       ("Nivelles", "Wavre"),
       _c("rechtbank van eerste aanleg Waals-Brabant", "tribunal de première instance du Brabant wallon",
          "Gericht Erster Instanz Wallonisch-Brabant", "Walloon Brabant Court of First Instance")),
    _d(("Henegouwen", "Hainaut", "Hennegau", "Hainaut"), "du Hainaut", "henegouwen", (),
       _c("rechtbank van eerste aanleg Henegouwen", "tribunal de première instance du Hainaut",
          "Gericht Erster Instanz Hennegau", "Hainaut Court of First Instance")),
    _d(("Luik", "Liège", "Lüttich", "Liège"), "de Liège", "luik", ("Liège", "Huy", "Verviers"),
       _c("rechtbank van eerste aanleg Luik", "tribunal de première instance de Liège",
          "Gericht Erster Instanz Lüttich", "Liège Court of First Instance")),
    _d(("Namen", "Namur", "Namur", "Namur"), "de Namur", "luik", ("Namur", "Dinant"),
       _c("rechtbank van eerste aanleg Namen", "tribunal de première instance de Namur",
          "Gericht Erster Instanz Namur", "Namur Court of First Instance")),
    _d(("Luxemburg", "Luxembourg", "Luxemburg", "Luxembourg"), "du Luxembourg", "luik",
       ("Arlon", "Marche-en-Famenne", "Neufchâteau"),
       _c("rechtbank van eerste aanleg Luxemburg", "tribunal de première instance du Luxembourg",
          "Gericht Erster Instanz Luxemburg", "Luxembourg Court of First Instance")),
    _d(("Eupen", "Eupen", "Eupen", "Eupen"), "d'Eupen", "eupen", (),
       _c("rechtbank van eerste aanleg Eupen", "tribunal de première instance d'Eupen",
          "Gericht Erster Instanz Eupen", "Eupen Court of First Instance")),
)  # fmt: skip
"""The twelve judicial districts. Brussels's labour court key "brussel" stands for both Brussels courts."""

# Brussels's two courts of first instance, for the family court (the district's own entry names the one of its
# language in nl and fr; de and en name both).
_BRUSSELS_FIRST_INSTANCE: Final = (
    _c("Nederlandstalige rechtbank van eerste aanleg Brussel",
       "tribunal de première instance néerlandophone de Bruxelles (Nederlandstalige rechtbank van eerste aanleg "
       "Brussel)",
       "niederländischsprachiges Gericht Erster Instanz Brüssel (Nederlandstalige rechtbank van eerste aanleg "
       "Brussel)", "Dutch-speaking Brussels Court of First Instance (Nederlandstalige rechtbank van eerste aanleg "
       "Brussel)"),
    _c("Franstalige rechtbank van eerste aanleg Brussel (tribunal de première instance francophone de Bruxelles)",
       "tribunal de première instance francophone de Bruxelles",
       "französischsprachiges Gericht Erster Instanz Brüssel (tribunal de première instance francophone de "
       "Bruxelles)", "French-speaking Brussels Court of First Instance (tribunal de première instance "
       "francophone de Bruxelles)"),
)  # fmt: skip


# The family court is a section of the court of first instance: how each language names it from that court.
_FAMILY_COURT: Final[Mapping[str, str]] = {
    "nl": "familierechtbank van de {court}",
    "fr": "tribunal de la famille du {court}",
    "de": "Familiengericht ({court})",
    "en": "family court of the {court}",
}


def district_key(name: str) -> str:
    """How a district name is matched: lower case, without accents, hyphens, spaces or apostrophes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


_BY_KEY: Final[Mapping[str, District]] = {
    district_key(name): district for district in DISTRICTS for name in district.names.values()
}


def find_district(name: str | None) -> District | None:
    """The district named in Dutch or French (or German, English), any case, with or without hyphens."""
    return _BY_KEY.get(district_key(name)) if name else None


def district_in_words(district_name: str | None, lang: str) -> str | None:
    """The district as a `lang` sentence writes it after the word for a judicial district ("d'Eupen",
    "du Hainaut" in French; District.after_noun), however the fund spelled it; None for an unknown or empty
    district (the mail then quotes the fund's spelling as it is)."""
    district = find_district(district_name)
    return None if district is None else district.after_noun[lang]


def court_for(
    court: CourtKind, district_name: str | None, lang: str
) -> tuple[list[str], tuple[str, ...]] | None:
    """The court(s) of `court`'s kind for a family of `district_name`, named in `lang`, and the labour court's
    divisions in that district; None for an unknown or empty district (the mail's generic sentence then).

    One court, except in Brussels where the language of the proceedings decides: a Dutch mail names the
    Dutch-speaking court, a French one the French-speaking court, German and English both (in that order).
    The family court is named as the section of its court of first instance ("familierechtbank van de
    rechtbank van eerste aanleg Antwerpen").
    """
    district = find_district(district_name)
    if district is None:
        return None
    if court == "labour" and district.labour_court != "brussel":
        return [LABOUR_COURTS[district.labour_court].names[lang]], district.divisions
    if district.labour_court == "brussel":
        pair = (
            (LABOUR_COURTS["brussel_nl"], LABOUR_COURTS["brussel_fr"])
            if court == "labour"
            else _BRUSSELS_FIRST_INSTANCE
        )
        chosen = pair[:1] if lang == "nl" else pair[1:] if lang == "fr" else pair
    else:
        chosen = (district.first_instance,)
    names = [c.names[lang] for c in chosen]
    return (names if court == "labour" else [_FAMILY_COURT[lang].format(court=n) for n in names]), ()
