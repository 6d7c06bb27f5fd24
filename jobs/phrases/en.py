"""English (British spelling). Names of Flemish bodies keep their Dutch name in brackets where a family would
otherwise not find them."""

from __future__ import annotations

from jobs.phrases.schema import BodyPhrases, ContactLabels, Counted, KindPhrases, Phrases

PHRASES = Phrases(
    locale="en_GB",
    first_of_month="1",
    weekday_format="EEEE d MMMM y",
    short_format="EEE d MMMM y",
    court_of_district="{court} of the judicial district where you live",
    district_note=" According to our records, you live in the judicial district of {district}.",
    ask_advisor_court=" Your advisor can tell you which court that is.",
    divisions_note=" (divisions: {divisions})",
    either_court="{first} or the {second}, depending on the language of the proceedings",
    contact_labels=ContactLabels(phone="Phone", email="E-mail", post="Post", website="Website"),
    bodies={
        "fund": BodyPhrases(
            name="family allowance fund (uitbetalingsactor)",
            short="family allowance fund",
        ),
        "complaints_service": BodyPhrases(
            name="Complaints and Mediation Service of the Groeipakket Payment Agency "
            "(Klachten- en Bemiddelingsdienst, Agentschap Uitbetaling Groeipakket)",
            short="Complaints and Mediation Service",
        ),
        "ombudsman": BodyPhrases(
            name="Flemish Ombudsman (Vlaamse Ombudsdienst)",
            short="Flemish Ombudsman",
            phone_note="freephone number, working days from 9:00 to 19:00",
            in_person="You can also visit them in person, by appointment.",
        ),
        "arbitration": BodyPhrases(
            name="Arbitration Commission (Geschillencommissie) of Kind en Gezin",
            short="Arbitration Commission",
            in_person="You can also hand in your appeal there yourself.",
            appeal="appeal to the Arbitration Commission (Geschillencommissie) of Kind en Gezin",
            how_to_file="Send your appeal by e-mail or by post to the Arbitration Commission, or hand it in "
            "there yourself. Mention the decision's reference and explain why you disagree.",
            cost_note="An appeal to the Arbitration Commission is free of charge, unless it is judged "
            "‘unjustified’ or ‘unfounded’.",
        ),
        "labour_court": BodyPhrases(
            name="labour court (arbeidsrechtbank)",
            short="labour court",
            appeal="appeal to the labour court (arbeidsrechtbank)",
            how_to_file="Send a dated and signed application (verzoekschrift) by registered post to the "
            "registry (griffie) of the {court}, or hand it in at the registry yourself.",
            request_holds="The application states: your name and address; {fund} as the other party; the "
            "decision you contest (with its reference and date) and why you disagree; the date and your "
            "signature. Enclose a copy of the decision.",
        ),
        "family_court": BodyPhrases(
            name="family court (familierechtbank)",
            short="family court",
            appeal="take the matter to the family court (familierechtbank)",
            how_to_file="File a dated and signed application with the registry of the {court}: by "
            "registered post, or in person at the registry. Enclose a copy of the decision.",
        ),
    },
    kinds={
        "payment": KindPhrases(
            label="Groeipakket payment",
            phrase="the decision of {date} on the payment of your Groeipakket",
        ),
        "care_allowance": KindPhrases(
            label="care allowance (zorgtoeslag)",
            phrase="the decision of {date} on your care allowance (zorgtoeslag)",
        ),
        "beneficiary_designation": KindPhrases(
            label="designation of the beneficiary",
            phrase="the decision of {date} on who receives the Groeipakket (designation of the beneficiary)",
        ),
        "arbitration_ruling": KindPhrases(
            label="Arbitration Commission ruling",
            phrase="the Arbitration Commission's ruling of {date} on your appeal",
        ),
    },
    days_left=Counted(
        zero="Today is the last day.", one="Tomorrow is the last day.", other="You have {n} days left."
    ),
    days_left_short=Counted(zero="today", one="1 day left", other="{n} days left"),
    stage=Counted(zero=None, one="1-day reminder", other="{n}-day reminder"),
    unreachable_reasons={
        "missing": "no e-mail address",
        "invalid": "invalid e-mail address",
    },
    reasons={
        "notification": (
            "You were notified of the decision on {informed}; the {n}-month time limit starts the next day "
            "(the day of notification itself does not count), so {appeal} must arrive by {safe}."
        ),
        "third_day_after_informed": (
            "You were informed of the decision on {informed}; the {n}-month time limit starts on the third "
            "calendar day after that, {trigger}, which already counts as day one, so {appeal} must arrive by "
            "{safe}."
        ),
        "art89_four_months": (
            "The decision did not say how and by when you could appeal, so the {n}-month time limit only "
            "starts 4 months after you were informed of it (on {informed}), that is on {trigger}, which "
            "already counts as day one, and {appeal} must arrive by {safe}."
        ),
        "complaint_closed": (
            "Your complaint to the Complaints and Mediation Service was closed on {restarted}; a new "
            "{n}-month time limit therefore runs {start}, so {appeal} must arrive by {safe}."
        ),
    },
    starts={
        "third_day": "from the third calendar day after that, {trigger}, which already counts as day one",
        "notification": "from the day after it was closed",
    },
    appeal_noun={
        "arbitration": "your appeal",
        "labour_court": "your appeal",
        "family_court": "your appeal",
    },
    appeal_noun_any="your appeal",
)
