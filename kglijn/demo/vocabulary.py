"""Synthetic content of the demo: names, postcodes, extra referral organisations, reason mixes,
time-of-day profiles and handling probabilities. Invented, plausible, and never real people.
"""

from __future__ import annotations

# E-mail addresses of demo customers end in this reserved (RFC 2606) domain: it marks them as
# demo data, so `kglijn demo --reset` can remove exactly these customers.
DEMO_EMAIL_DOMAIN = "kglijn-demo.example"

FIRST_NAMES = (
    "Emma", "Louise", "Olivia", "Elena", "Mila", "Marie", "Lina", "Nora", "Julie", "Ella",
    "Noor", "Anna", "Fien", "Lotte", "Sofie", "Hanne", "Laura", "Sarah", "Lien", "Eline",
    "An", "Katrien", "Els", "Griet", "Inge", "Veerle", "Leen", "Tine", "Ines", "Amira",
    "Noah", "Arthur", "Louis", "Jules", "Liam", "Lucas", "Adam", "Victor", "Finn", "Mathis",
    "Wout", "Tom", "Pieter", "Jeroen", "Bart", "Koen", "Stijn", "Dries", "Thomas", "Youssef",
)  # fmt: skip
LAST_NAMES = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Hermans", "Aerts", "Lambrechts", "Dupont", "Martens",
    "Van Damme", "Vermeulen", "De Clercq", "Michiels", "Coppens", "Desmet", "Verstraete",
    "Van den Broeck", "Pauwels", "Cools", "Verhoeven", "Smets", "Segers", "Bogaerts",
    "De Backer", "Vandenberghe", "Vervoort", "Van Hoof", "Declercq", "Claeys", "Stevens",
    "De Wolf", "Mahieu", "Baert", "El Amrani", "Yilmaz", "Nowak", "Hendrickx", "Geerts",
)  # fmt: skip

# A few real postcodes per province (bpost); each maps to its province by province_for_postcode.
POSTCODES: dict[str, tuple[str, ...]] = {
    "BE-VAN": ("2000", "2018", "2060", "2100", "2140", "2170", "2300", "2400", "2500", "2800"),
    "BE-VOV": ("9000", "9040", "9100", "9200", "9300", "9400", "9600", "9700", "9800", "9900"),
    "BE-VWV": ("8000", "8200", "8400", "8500", "8600", "8700", "8800", "8900"),
    "BE-VBR": ("1500", "1600", "1700", "1800", "1930", "3000", "3010", "3200", "3300"),
    "BE-VLI": ("3500", "3600", "3700", "3800", "3900", "3950"),
    "BE-BRU": ("1000", "1030", "1040", "1050", "1060", "1070", "1080", "1090", "1180", "1200"),
    "BE-WHT": ("6000", "7000", "7500", "7700"),
    "BE-WBR": ("1300", "1340", "1400", "1410"),
    "BE-WLG": ("4000", "4020", "4800"),
    "BE-WLX": ("6700", "6800"),
    "BE-WNA": ("5000", "5100", "5500"),
}

# Referral organisations the demo adds to the catalogue (via referral_save) next to the ten of
# 000 §4, with lower counts so that the 2023 top 10 is a real ranking.
EXTRA_REFERRALS: tuple[tuple[str, str], ...] = (
    ("caw", "Centrum Algemeen Welzijnswerk (CAW)"),
    ("huis-van-het-kind", "Huis van het Kind"),
    ("child-focus", "Child Focus"),
    ("awel", "Awel"),
    ("ocmw", "OCMW (Openbaar Centrum voor Maatschappelijk Welzijn)"),
)
# Referrals that fit a childcare question; the others are drawn from family-support contacts.
CHILDCARE_REFERRALS = frozenset({"zorginspectie", "fod-financien", "fod-waso", "rsvz"})

# Reason mix per topic (relative weights); a contact gets one reason, sometimes a second one of
# the same topic. Contacts without a topic have the reason "general".
REASON_WEIGHTS: dict[str, dict[str, int]] = {
    "family_support": {
        "advice": 30,
        "cb-appointment": 24,
        "vaccination": 20,
        "info-kg": 12,
        "care-report": 8,
        "pregnancy-intro": 6,
    },
    "childcare": {"childcare-addresses": 40, "childcare-fees": 38, "childcare-qualification": 22},
    "": {"general": 1},
}
SECOND_REASON_SHARE = 0.3

# Relative weight per hour of the day (Brussels time), per kind of traffic.
PHONE_HOURS = {
    8: 9, 9: 14, 10: 15, 11: 13, 12: 9, 13: 11, 14: 12, 15: 10, 16: 8, 17: 6, 18: 4, 19: 3,
}  # fmt: skip
CHAT_HOURS = {9: 10, 10: 12, 11: 11, 12: 8, 13: 10, 14: 11, 15: 10, 16: 8}
EMAIL_HOURS = {
    0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 2, 7: 4, 8: 7, 9: 9, 10: 10, 11: 9,
    12: 7, 13: 8, 14: 9, 15: 9, 16: 8, 17: 6, 18: 5, 19: 5, 20: 6, 21: 6, 22: 4, 23: 2,
}  # fmt: skip
OUTGOING_HOURS = {9: 10, 10: 12, 11: 11, 12: 6, 13: 10, 14: 12, 15: 11, 16: 8}
# Relative weight per weekday (Mon=0): Monday is the peak (mission: ~1,500 calls on a Monday).
WEEKDAY_WEIGHTS = (16, 11, 10, 10, 8, 4, 3)
# Every day is a little busier or quieter than its weekday and month say (uniform factor).
DAY_NOISE = (0.85, 1.2)
# Relative weight per month (Jan=1): quieter in summer and at the end of the year.
MONTH_WEIGHTS = (11, 11, 11, 10, 10, 10, 8, 8, 11, 11, 10, 8)

# Chance that a contact is identified (not anonymous), per channel; halved for contacts whose
# province is not registered. Gives about 30 % identified contacts overall.
IDENTIFIED_SHARE = {"chat": 0.08, "phone": 0.30, "email": 0.55, "out": 0.75}
# Chance that an identified contact is a returning customer rather than a new one.
RETURNING_CUSTOMER_SHARE = 0.35
# Customer kinds (relative weights); childcare questions come more often from organisers.
CUSTOMER_KINDS = {"parent": 75, "pregnant": 12, "organiser": 5, "other": 8}
CHILDCARE_CUSTOMER_KINDS = {"parent": 55, "pregnant": 5, "organiser": 35, "other": 5}

# Chance that a front-office contact is escalated to the back office of its topic.
ESCALATED_SHARE = {
    ("phone", "family_support"): 0.07,
    ("phone", "childcare"): 0.15,
    ("email", "family_support"): 0.05,
    ("email", "childcare"): 0.20,
}
# Chats go straight to the PGJO nurses and are almost all about family support.
CHAT_TOPIC_SHARE = {"family_support": 0.95, "childcare": 0.02, "": 0.03}
WEBFORM_SHARE = 0.55  # e-mails from the web form rather than the mailbox
# Outgoing contacts (call-backs and mails by the offices): office and channel mix.
OUTGOING_OFFICES = {"pgjo": 55, "childcare": 25, "front": 20}
OUTGOING_PHONE_SHARE = 0.85

ESCALATION_REASONS: dict[str, tuple[str, ...]] = {
    "pgjo": (
        "Adviesvraag over gezondheid, door te nemen met een verpleegkundige.",
        "Vraag over voeding en slaap van de baby: advies van de backoffice nodig.",
        "Bezorgde ouder, vraagt terugbelafspraak met een verpleegkundige.",
        "Vaccinatieschema wijkt af: backoffice PGJO bekijkt het dossier.",
    ),
    "childcare": (
        "Vraag over kwalificatievereisten om een kinderopvang te starten.",
        "Betwisting ouderbijdrage: dossierbehandelaar kinderopvang nodig.",
        "Organisator vraagt toelichting bij de vergunningsvoorwaarden.",
    ),
}
