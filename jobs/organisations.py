"""The organisations a family can turn to (domain.md's "Who is who"), as data: their ids and contact details.

The fund, the complaints service, the ombudsman and the forums an appeal goes to. Contact details are copied
exactly as the seed gives them (shared/domain.md and the fund's own page,
shared/seed/infino-complaints-and-appeals.fr.txt), so a reader can check them line by line; they are the same
in every language. Postal addresses stay in their original Dutch form in every language: that is what the
family writes on the envelope. Should a body publish its address per language, that address becomes a phrase
(jobs/phrases/). What each organisation is called and the sentences about it, in each language, are phrases
too; the fund's own name and contact details come from the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from deadlines.vocabulary import FORUMS as FORUMS

ORGANISATION_IDS: Final = ("fund", "complaints_service", "ombudsman", *FORUMS)
"""Every organisation, the ones that are not forums first; each has its phrases in every language."""

CONTACT_FIELDS: Final = ("phone", "email", "post", "website")
"""The lines of contact details a mail lists, in this order (their labels are phrases)."""


@dataclass(frozen=True)
class Organisation:
    """How to reach an organisation. Numbers, addresses and e-mail addresses exactly as the seed gives them."""

    id: str
    phone: str | None = None
    email: str | None = None
    post: str | None = None  # one line, original Dutch form


ORGANISATIONS: Final[Mapping[str, Organisation]] = {
    "fund": Organisation(id="fund"),  # the fund's own details come from config
    "complaints_service": Organisation(
        id="complaints_service",
        phone="02/897 10 60",
        email="info@groeipakket.be",
        post="Agentschap Uitbetaling Groeipakket, Klachten- en Bemiddelingsdienst, Trierstraat 9, 1000 Brussel",
    ),
    "ombudsman": Organisation(
        id="ombudsman",
        phone="1700",
        email="info@vlaamseombudsdienst.be",
        post="Vlaamse Ombudsdienst, Leuvenseweg 86, 1000 Brussel",
    ),
    "arbitration": Organisation(
        id="arbitration",
        email="geschillencommissie@kindengezin.be",
        post="Kind en Gezin, Geschillencommissie, Hallepoortlaan 27, 1060 Brussel",
    ),
    "labour_court": Organisation(id="labour_court"),  # the court of the beneficiary's district
    "family_court": Organisation(id="family_court"),  # idem
}
