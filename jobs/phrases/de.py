"""German, in Belgium's German-language legal usage (Ostbelgien).

"Arbeitsgericht", "Familiengericht", "Gerichtsbezirk", "Kanzlei" for the court registry, "Antragschrift" for a
verzoekschrift/requête. The Geschillencommissie has no official German name that we know of;
"Schiedskommission" follows the fund's French and English ("Commission d'arbitrage", "Arbitration
Commission") and is always followed by the Dutch name. The appeal is named by what it is: an objection
(Einspruch) to the commission, a claim (Klage) before the labour court, an application (Antrag) to the family
court.
"""

from __future__ import annotations

from jobs.phrases.schema import BodyPhrases, ContactLabels, Counted, KindPhrases, Phrases

PHRASES = Phrases(
    locale="de_BE",
    first_of_month="1",
    weekday_format="EEEE, d. MMMM y",
    short_format="EEE, d. MMMM y",
    court_of_district="{court} des Gerichtsbezirks, in dem Sie wohnen",
    district_note=" Laut unseren Unterlagen wohnen Sie im Gerichtsbezirk {district}.",
    ask_advisor_court=" Ihre Ansprechperson sagt Ihnen, welches Gericht das ist.",
    divisions_note=" (Abteilungen: {divisions})",
    either_court="{first} oder {second}, je nach Sprache des Verfahrens",
    contact_labels=ContactLabels(phone="Telefon", email="E-Mail", post="Post", website="Website"),
    bodies={
        "fund": BodyPhrases(
            name="Kasse für Familienbeihilfen (uitbetalingsactor)",
            short="Kasse für Familienbeihilfen",
        ),
        "complaints_service": BodyPhrases(
            name="Beschwerde- und Vermittlungsdienst der Auszahlungsagentur Groeipakket "
            "(Klachten- en Bemiddelingsdienst, Agentschap Uitbetaling Groeipakket)",
            short="Beschwerde- und Vermittlungsdienst",
        ),
        "ombudsman": BodyPhrases(
            name="Flämischer Ombudsdienst (Vlaamse Ombudsdienst)",
            short="Flämischer Ombudsdienst",
            phone_note="kostenlose Rufnummer, werktags von 9 bis 19 Uhr",
            in_person="Ein Besuch vor Ort ist nach Terminvereinbarung möglich.",
        ),
        "arbitration": BodyPhrases(
            name="Schiedskommission (Geschillencommissie) von Kind en Gezin",
            short="Schiedskommission",
            in_person="Sie können Ihren Einspruch dort auch persönlich abgeben.",
            appeal="Einspruch bei der Schiedskommission (Geschillencommissie) von Kind en Gezin einlegen",
            how_to_file="Senden Sie Ihren Einspruch per E-Mail oder per Post an die Schiedskommission, oder "
            "geben Sie ihn dort persönlich ab. Geben Sie das Aktenzeichen der Entscheidung an und erklären "
            "Sie, warum Sie nicht einverstanden sind.",
            cost_note="Der Einspruch bei der Schiedskommission ist kostenlos, es sei denn, er wird als "
            "„ungerechtfertigt“ oder „unbegründet“ eingestuft.",
        ),
        "labour_court": BodyPhrases(
            name="Arbeitsgericht (arbeidsrechtbank)",
            short="Arbeitsgericht",
            appeal="Klage beim Arbeitsgericht (arbeidsrechtbank) einreichen",
            how_to_file="Senden Sie eine datierte und unterzeichnete Antragschrift (verzoekschrift) per "
            "Einschreiben an die Kanzlei (griffie) des zuständigen Gerichts ({court}). Sie können die Antragschrift auch "
            "persönlich in der Kanzlei abgeben.",
            request_holds="Die Antragschrift enthält: Ihren Namen und Ihre Anschrift; {fund} als Gegenpartei; "
            "die Entscheidung, die Sie anfechten (mit Aktenzeichen und Datum), und warum Sie nicht "
            "einverstanden sind; das Datum und Ihre Unterschrift. Fügen Sie eine Kopie der Entscheidung bei.",
        ),
        "family_court": BodyPhrases(
            name="Familiengericht (familierechtbank)",
            short="Familiengericht",
            appeal="das Familiengericht (familierechtbank) anrufen",
            how_to_file="Reichen Sie eine datierte und unterzeichnete Antragschrift bei der Kanzlei des "
            "zuständigen Gerichts ({court}) ein: per Einschreiben oder persönlich. Fügen Sie eine Kopie der Entscheidung "
            "bei.",
        ),
    },
    kinds={
        "payment": KindPhrases(
            label="Auszahlung des Groeipakket",
            phrase="die Entscheidung vom {date} über die Auszahlung Ihres Groeipakket",
        ),
        "care_allowance": KindPhrases(
            label="Pflegezulage (zorgtoeslag)",
            phrase="die Entscheidung vom {date} über Ihre Pflegezulage (zorgtoeslag)",
        ),
        "beneficiary_designation": KindPhrases(
            label="Bestimmung des Begünstigten",
            phrase="die Entscheidung vom {date} darüber, wer das Groeipakket erhält "
            "(Bestimmung des Begünstigten)",
        ),
        "arbitration_ruling": KindPhrases(
            label="Entscheidung der Schiedskommission",
            phrase="die Entscheidung der Schiedskommission vom {date} zu Ihrem Einspruch",
        ),
    },
    days_left=Counted(
        zero="Heute ist der letzte Tag.",
        one="Morgen ist der letzte Tag.",
        other="Ihnen bleiben noch {n} Tage.",
    ),
    days_left_short=Counted(zero="heute", one="noch 1 Tag", other="noch {n} Tage"),
    stage=Counted(zero=None, one="Erinnerung 1 Tag vorher", other="Erinnerung {n} Tage vorher"),
    unreachable_reasons={
        "missing": "keine E-Mail-Adresse",
        "invalid": "ungültige E-Mail-Adresse",
    },
    reasons={
        "notification": (
            "Die Entscheidung wurde Ihnen am {informed} mitgeteilt; die Frist von {n} Monaten beginnt am "
            "folgenden Tag (der Tag der Mitteilung selbst zählt nicht mit), daher muss {appeal} spätestens am "
            "{safe} eingegangen sein."
        ),
        "third_day_after_informed": (
            "Die Entscheidung wurde Ihnen am {informed} mitgeteilt; die Frist von {n} Monaten beginnt am "
            "dritten Kalendertag danach, am {trigger}, und dieser Tag zählt bereits als erster Tag, daher muss "
            "{appeal} spätestens am {safe} eingegangen sein."
        ),
        "art89_four_months": (
            "Die Entscheidung enthielt keine Angaben dazu, wie und innerhalb welcher Frist Sie dagegen "
            "vorgehen können; deshalb beginnt die Frist von {n} Monaten erst 4 Monate nach der Mitteilung "
            "(am {informed}), also am {trigger}, der bereits als erster Tag zählt, und {appeal} muss "
            "spätestens am {safe} eingegangen sein."
        ),
        "complaint_closed": (
            "Ihre Beschwerde beim Beschwerde- und Vermittlungsdienst wurde am {restarted} abgeschlossen; "
            "daher läuft eine neue Frist von {n} Monaten {start}, und {appeal} muss spätestens am {safe} "
            "eingegangen sein."
        ),
    },
    starts={
        "third_day": "ab dem dritten Kalendertag danach, dem {trigger}, der bereits als erster Tag zählt",
        "notification": "ab dem Tag nach diesem Abschluss",
    },
    appeal_noun={
        "arbitration": "Ihr Einspruch",
        "labour_court": "Ihre Klage",
        "family_court": "Ihr Antrag",
    },
    appeal_noun_any="Ihr Rechtsmittel",
)
