"""Initial catalogues (architecture.md): loaded by a data migration, then kept in the app."""

from __future__ import annotations

# (code, Dutch name as used in 000 §3, topic)
INITIAL_REASONS: tuple[tuple[str, str, str], ...] = (
    ("info-kg", "Algemene informatie over de werking van Kind en Gezin", "family_support"),
    ("general", "Algemene vraag", ""),
    ("care-report", "Zorgmelding", "family_support"),
    ("advice", "Adviesvraag (gezondheid, opvoeding)", "family_support"),
    ("vaccination", "Vaccinatievraag", "family_support"),
    ("cb-appointment", "Afspraak consultatiebureau", "family_support"),
    ("pregnancy-intro", "Kennismaking zwangere", "family_support"),
    ("childcare-addresses", "Opvangadressen kinderopvang", "childcare"),
    (
        "childcare-qualification",
        "Kwalificatievereisten om te starten met kinderopvang",
        "childcare",
    ),
    ("childcare-fees", "Ouderbijdrage in de kinderopvang", "childcare"),
)

# (code, official name as in 000 §4)
INITIAL_REFERRALS: tuple[tuple[str, str], ...] = (
    ("groeipakket", "Agentschap Uitbetaling Groeipakket"),
    ("consumentenombudsdienst", "Consumentenombudsdienst"),
    ("zorginspectie", "Departement Zorg, Afdeling Zorginspectie"),
    ("fod-financien", "Federale Overheidsdienst Financiën"),
    ("fod-waso", "Federale Overheidsdienst Werkgelegenheid, Arbeid en Sociaal Overleg"),
    ("gezinsbond", "Gezinsbond vzw"),
    ("one", "Office de la Naissance et de l'Enfance"),
    ("rsvz", "Rijksinstituut voor de Sociale Verzekeringen der Zelfstandigen"),
    ("vertrouwenscentrum", "Vertrouwenscentra Kindermishandeling"),
    ("vlaamse-ombudsdienst", "Vlaamse Ombudsdienst"),
)
