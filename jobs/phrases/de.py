"""German, in Belgium's German-language legal usage (Ostbelgien).

"Arbeitsgericht", "Familiengericht", "Gerichtsbezirk", "Kanzlei" for the court registry, "Antragschrift" for a
verzoekschrift/requête. The Geschillencommissie has no official German name that we know of;
"Schiedskommission" follows the fund's French and English ("Commission d'arbitrage", "Arbitration
Commission") and is always followed by the Dutch name. The appeal is named by what it is: an objection
(Einspruch) to the commission, a claim (Klage) before the labour court, an application (Antrag) to the family
court.
"""

from __future__ import annotations

from jobs.phrases.schema import BodyPhrases, ContactLabels, Counted, KindPhrases, Phrases, ReportPhrases

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
    report=ReportPhrases(
        headings={
            "title": "appealwatch: Bericht der Nacht vom {date}",
            "contents": "Inhalt",
            "health": "Wie die Nacht verlief",
            "act": "Heute zu tun",
            "coverage": "Nachweis, dass niemand übersehen wurde",
            "load": "Last pro Team und pro Berater",
            "weeks": "Die nächsten 12 Wochen",
            "nights": "Die letzten 30 Nächte",
            "confirm": "Rechtlich zu bestätigen",
            "fix": "Zu berichtigende Daten",
            "delivery": "Versand",
            "stages": "Von Erinnerungsstufen zu Nachrichten",
            "act_grace": "Noch möglich: äußerste Frist innerhalb von 2 Werktagen",
            "act_due": "Fällig innerhalb von 7 Tagen, ohne zugestellte Erinnerung",
            "act_call": "Familien, denen zu schreiben oder die anzurufen sind",
            "act_corrections": "Berichtigte Fristen",
            "act_advisors": "Berater mit einem Problem",
            "uncovered": "Nicht abgedeckte Fristen",
            "teams": "Pro Team",
            "advisors": "Pro Berater",
            "fix_rows": "Fehlerhafte Zeilen in den Tabellen der Kasse",
            "fix_addresses": "Fehlende oder ungültige E-Mail-Adressen",
            "fix_not_notified": "Noch nicht zugestellte Entscheidungen",
            "fix_no_advisor": "Familien ohne Berater",
        },
        columns={
            "what": "Was",
            "count": "Anzahl",
            "family": "Familie",
            "language": "Sprache",
            "phone": "Telefon",
            "address": "Postanschrift",
            "advisor": "Berater",
            "team": "Team",
            "decisions": "Entscheidungen und Fristen",
            "decision": "Entscheidung",
            "reference": "Aktenzeichen",
            "kind": "Art",
            "forum": "Rechtsbehelf bei",
            "safe": "Sichere Frist",
            "latest": "Äußerste Frist",
            "days_left": "Tage übrig",
            "reminded": "Erinnert",
            "was": "Früher genannte Frist",
            "now": "Neue sichere Frist",
            "reason": "Warum",
            "ahead": "Voraus",
            "due": "Fällig",
            "emailed": "Per E-Mail",
            "to_call": "Anzurufen",
            "uncovered": "Nicht abgedeckt",
            "open": "Offen",
            "due7": "Innerhalb von 7 Tagen",
            "due14": "Innerhalb von 14 Tagen",
            "grace": "Noch möglich",
            "families": "Familien",
            "week": "Woche ab",
            "total": "Summe",
            "night": "Nacht",
            "sent": "Versandt",
            "skipped": "Übersprungen",
            "failed": "Fehlgeschlagen",
            "waiting": "Wartend",
            "expired": "Verfallen",
            "rule": "Regel",
            "why": "Warum zu bestätigen",
            "problem": "Problem",
            "table": "Tabelle",
            "row": "Zeile",
            "handled": "Behandlung",
            "who_fixes": "Wer berichtigt",
            "email": "E-Mail-Adresse",
            "since": "Seit",
            "message": "Nachricht",
            "recipient": "An",
            "state": "Status",
            "attempts": "Versuche",
            "answer": "Antwort des Servers",
            "next_step": "Nächster Schritt",
            "window_status": "Stand",
            "beneficiary": "Familie (Nummer)",
            "needs_confirmation": "Zu bestätigen",
        },
        words={
            "outcome_0": "Fertig, ohne Probleme",
            "outcome_1": "Fertig, aber nicht alles gelang",
            "exit_code": "Exit-Code {code}",
            "started": "Begonnen",
            "finished": "Beendet",
            "not_finished": "lief noch, als dieser Bericht geschrieben wurde",
            "finished_work": "{time}: die Erinnerungen und Übersichten der Nacht waren erledigt; nur dieser Bericht (und sein Versand) kam danach",
            "previous_line": "{date}, {start} bis {end}: {status}",
            "previous_open": "{date}, ab {start}: {status}",
            "previous": "Vorheriger Lauf",
            "no_previous": "kein früherer Lauf",
            "missed": "Seit dem vorherigen Lauf ausgefallene Nächte: {dates}.",
            "none_missed": "Seit dem vorherigen Lauf ist keine Nacht ausgefallen.",
            "run_ok": "fertig",
            "run_partial": "fertig, nicht alles gelang",
            "run_failed": "fehlgeschlagen",
            "run_stopped": "angehalten",
            "run_refused": "abgewiesen (ein anderer Lauf lief)",
            "run_died": "abgebrochen",
            "run_running": "läuft",
            "sent": "Versandt",
            "failed": "Fehlgeschlagen (vom Mailserver abgewiesen)",
            "waiting": "Wartet noch im Postausgang",
            "expired": "Vor dem Versand verfallen",
            "st_family": "Erinnerungen an Familien",
            "st_advisor": "Stufen für Berater, zusammengefasst in {n} Übersicht(en)",
            "st_skipped": "Von der Nachholregel übersprungen: eine dringendere Stufe war zugleich fällig, die Familie erhält nur diese",
            "st_unreachable": "Nicht versandt: keine brauchbare E-Mail-Adresse (siehe Heute zu tun)",
            "never_reminded": "nie erinnert",
            "reminded": "erinnert",
            "decision_line": "{kind}, {forum}: sichere Frist {safe}, äußerste Frist {latest}",
            "no_advisor": "kein Berater",
            "not_recorded": "nicht erfasst",
            "nothing": "Nichts.",
            "reason_missing": "keine E-Mail-Adresse",
            "reason_invalid": "ungültige E-Mail-Adresse",
            "reason_refused": "Erinnerung vom Mailserver abgewiesen",
            "reason_expired": "Erinnerung nicht vor der Frist versandt",
            "reason_grace": "sichere Frist verstrichen, nie erinnert",
            "reason_due": "fällig innerhalb von 7 Tagen, nie erinnert",
            "adv_missing": "der Berater hat keine E-Mail-Adresse",
            "adv_invalid": "die E-Mail-Adresse des Beraters ist ungültig",
            "adv_refused": "Übersicht vom Mailserver abgewiesen",
            "coverage_line": "{days} Tage voraus: {n} Fristen fällig: {a} per E-Mail, {b} anzuschreiben oder anzurufen, {c} nicht abgedeckt.",
            "coverage_ok": "Jede in den nächsten 14 Tagen fällige Frist wurde gemailt oder steht auf der Anrufliste.",
            "coverage_bad": "Nicht abgedeckte Fristen: die Nacht endet mit Exit-Code 1.",
            "unc_waiting": "die Erinnerung wartet noch im Postausgang",
            "unc_none": "keine Erinnerung zugestellt oder geplant",
            "families_without_advisor": "Familien ohne Berater: {n}.",
            "weeks_intro": "Offene Fristen nach der Woche ihrer sicheren Frist, pro Rechtsbehelfsinstanz.",
            "nights_intro": "Pro Nacht: was aus den Nachrichten dieser Nacht wurde (gesendet, fehlgeschlagen, wartend) und die übersprungenen Stufen; ohne Berichtsmails.",
            "tonight_line": "Heute Nacht: {sent} versandt, {skipped} übersprungen, {failed} fehlgeschlagen, {waiting} wartend. Durchschnitt der {n} Nächte davor: {avg_sent} versandt, {avg_skipped} übersprungen, {avg_failed} fehlgeschlagen, {avg_waiting} wartend.",
            "no_history": "Heute Nacht: {sent} versandt, {skipped} übersprungen, {failed} fehlgeschlagen, {waiting} wartend. Keine früheren Nächte im Laufprotokoll.",
            "average": "Durchschnitt",
            "tonight": "heute Nacht",
            "confirm_intro": "Diese offenen Fristen folgen einer Regel, die ein Jurist noch bestätigen muss.",
            "rule_line": "{kind} beim {forum}, {n} Monate",
            "fix_data_team": "die Datenverwaltung der Kasse",
            "fix_advisor": "der Berater: {name}",
            "fix_supervisor": "die Teamleitung",
            "fix_file": "Aktenführung: die Zustellung erfassen",
            "handled_skipped": "übersprungen",
            "handled_used": "verwendet",
            "address_missing": "fehlt",
            "address_invalid": "ungültig: {address}",
            "who_family": "Familie",
            "who_advisor": "Berater",
            "who_supervisor": "Aufsicht",
            "days_ago": "entschieden am {date}, vor {days} Tagen",
            "delivery_intro": "Nur was fehlschlug, wartet oder verfiel; das vollständige Protokoll steht in der Arbeitsmappe und in deliveries.csv.",
            "waiting_line": "{n} Nachricht(en) warten noch im Postausgang. Letzte Antwort des Mailservers: {answer}.",
            "delivery_ok": "Alles wurde zugestellt: nichts schlug fehl, nichts wartet, nichts verfiel.",
            "next_failed": "die Adresse prüfen, dann der Familie schreiben oder sie anrufen",
            "next_waiting": "die Ursache beheben ([smtp] oder das Relay), dann appealwatch deliver (oder die nächste Nacht)",
            "next_expired": "schreiben oder anrufen: die Frist verstrich vor dem Versand",
            "msg_reminder": "Erinnerung",
            "msg_digest": "Übersicht",
            "msg_report": "Bericht",
            "msg_failed": "fehlgeschlagen",
            "msg_pending": "wartend",
            "msg_sending": "wird versandt",
            "msg_expired": "verfallen",
            "no_answer": "noch keine Antwort",
            "win_not_notified": "noch nicht zugestellt",
            "win_withdrawn": "zurückgenommen",
            "win_appealed": "Rechtsbehelf eingelegt",
            "win_interrupted": "unterbrochen (Beschwerde)",
            "win_open": "offen",
            "win_grace": "noch möglich",
            "win_expired": "verstrichen",
            "yes": "ja",
            "no": "nein",
            "chart_weeks": "Diagramm: offene Fristen pro Woche, gestapelt nach Instanz (die Zahlen stehen in der Tabelle daneben)",
            "chart_nights": "Diagramm: versandt, übersprungen, fehlgeschlagen und wartend pro Nacht (die Zahlen stehen in der Tabelle daneben)",
            "footer": "Jede gelesene Frist, mit beiden Fristen: das Blatt „Alle Fristen“ der Arbeitsmappe und windows.csv.",
            "subject": "appealwatch {date}: {due} fällig diese Woche, {call} anzuschreiben oder anzurufen, {uncovered} nicht abgedeckt, {failed} fehlgeschlagen",
            "mail_text": "Der vollständige Bericht ist die HTML-Fassung dieser Nachricht; die Arbeitsmappe ist beigefügt. Bericht, Arbeitsmappe und CSV-Dateien liegen in {folder}.",
            "sheet_act": "Heute zu tun",
            "sheet_coverage": "Abdeckung",
            "sheet_load": "Last",
            "sheet_weeks": "12 Wochen",
            "sheet_nights": "Nächte",
            "sheet_fix": "Zu berichtigen",
            "sheet_deliveries": "Versand",
            "sheet_windows": "Alle Fristen",
        },
    ),
)
