"""French (français de Belgique). Names of Flemish bodies keep their Dutch name in brackets where a family
would otherwise not find them."""

from __future__ import annotations

from jobs.phrases.schema import BodyPhrases, ContactLabels, Counted, KindPhrases, Phrases

PHRASES = Phrases(
    locale="fr_BE",
    first_of_month="1er",
    weekday_format="EEEE d MMMM y",
    short_format="EEE d MMMM y",
    court_of_district="{court} de l'arrondissement judiciaire de votre domicile",
    district_note=" Selon nos informations, vous habitez l'arrondissement judiciaire {district}.",
    ask_advisor_court=" Votre gestionnaire de dossier vous dira de quel tribunal il s'agit.",
    divisions_note=" (divisions : {divisions})",
    either_court="{first} ou du {second}, selon la langue de la procédure",
    contact_labels=ContactLabels(phone="Téléphone", email="E-mail", post="Courrier", website="Site web"),
    bodies={
        "fund": BodyPhrases(
            name="caisse d'allocations familiales",
            short="caisse d'allocations familiales",
        ),
        "complaints_service": BodyPhrases(
            name="Service des plaintes et de la médiation de l'Agence de paiement du Groeipakket",
            short="Service des plaintes et de la médiation",
        ),
        "ombudsman": BodyPhrases(
            name="service de médiation flamand (Vlaamse Ombudsdienst)",
            short="service de médiation flamand",
            phone_note="numéro gratuit, chaque jour ouvrable de 9h à 19h",
            in_person="Vous pouvez aussi vous y rendre, sur rendez-vous.",
        ),
        "arbitration": BodyPhrases(
            name="Commission d'arbitrage (Geschillencommissie de Kind en Gezin)",
            short="Commission d'arbitrage",
            in_person="Vous pouvez aussi y déposer vous-même votre recours.",
            appeal="introduire un recours auprès de la Commission d'arbitrage (Geschillencommissie)",
            how_to_file="Envoyez votre recours par e-mail ou par courrier à la Commission d'arbitrage, ou "
            "déposez-le vous-même sur place. Indiquez la référence de la décision et expliquez pourquoi vous "
            "n'êtes pas d'accord.",
            cost_note="Le recours à la Commission d'arbitrage est gratuit, sauf s'il est considéré comme "
            "« injustifié » ou « infondé ».",
        ),
        "labour_court": BodyPhrases(
            name="tribunal du travail",
            short="tribunal du travail",
            appeal="introduire un recours auprès du tribunal du travail",
            how_to_file="Envoyez une requête datée et signée par courrier recommandé au greffe du {court}. "
            "Vous pouvez aussi déposer vous-même la requête au greffe.",
            request_holds="La requête mentionne : vos nom et adresse ; {fund} comme partie adverse ; la "
            "décision que vous contestez (avec sa référence et sa date) et pourquoi vous n'êtes pas d'accord ; "
            "la date et votre signature. Joignez une copie de la décision.",
        ),
        "family_court": BodyPhrases(
            name="tribunal de la famille",
            short="tribunal de la famille",
            appeal="porter l'affaire devant le tribunal de la famille",
            how_to_file="Déposez une requête datée et signée au greffe du {court} : par "
            "courrier recommandé, ou vous-même au greffe. Joignez une copie de la décision.",
        ),
    },
    kinds={
        "payment": KindPhrases(
            label="paiement du Groeipakket",
            phrase="la décision du {date} relative au paiement de votre Groeipakket",
        ),
        "care_allowance": KindPhrases(
            label="supplément de soins (zorgtoeslag)",
            phrase="la décision du {date} relative à votre supplément de soins (zorgtoeslag)",
        ),
        "beneficiary_designation": KindPhrases(
            label="désignation du bénéficiaire",
            phrase="la décision du {date} relative à la personne à qui le Groeipakket est versé "
            "(désignation du bénéficiaire)",
        ),
        "arbitration_ruling": KindPhrases(
            label="décision de la Commission d'arbitrage",
            phrase="la décision du {date} de la Commission d'arbitrage sur votre recours",
        ),
    },
    days_left=Counted(
        zero="C'est aujourd'hui le dernier jour.",
        one="C'est demain le dernier jour.",
        other="Il vous reste {n} jours.",
    ),
    days_left_short=Counted(zero="aujourd'hui", one="encore 1 jour", other="encore {n} jours"),
    stage=Counted(zero=None, one="rappel 1 jour avant", other="rappel {n} jours avant"),
    unreachable_reasons={
        "missing": "pas d'adresse e-mail",
        "invalid": "adresse e-mail non valide",
    },
    reasons={
        "notification": (
            "La décision vous a été notifiée le {informed} ; le délai de {n} mois commence le lendemain (le "
            "jour de la notification ne compte pas), de sorte que {appeal} doit être reçu au plus tard le "
            "{safe}."
        ),
        "third_day_after_informed": (
            "La décision vous a été communiquée le {informed} ; le délai de {n} mois commence le troisième "
            "jour calendrier qui suit, le {trigger}, et ce jour compte déjà comme premier jour, de sorte que "
            "{appeal} doit être reçu au plus tard le {safe}."
        ),
        "art89_four_months": (
            "La décision ne mentionnait ni les voies ni les délais de recours ; c'est pourquoi le délai de "
            "{n} mois ne commence à courir que 4 mois après sa communication (le {informed}), soit le "
            "{trigger}, qui compte déjà comme premier jour, de sorte que {appeal} doit être reçu au plus tard "
            "le {safe}."
        ),
        "complaint_closed": (
            "Votre plainte auprès du Service des plaintes et de la médiation a été clôturée le {restarted} ; "
            "un nouveau délai de {n} mois court donc {start}, de sorte que {appeal} doit être reçu au plus "
            "tard le {safe}."
        ),
    },
    starts={
        "third_day": "à partir du troisième jour calendrier qui suit, le {trigger}, qui compte déjà comme "
        "premier jour",
        "notification": "à partir du lendemain de cette clôture",
    },
    # Every appeal here is a "recours" (masculine: "doit être reçu" agrees with it).
    appeal_noun={
        "arbitration": "votre recours",
        "labour_court": "votre recours",
        "family_court": "votre recours",
    },
    appeal_noun_any="votre recours",
)
