"""The wording of the 4 questions: the first (version 1, seeded by migration 0002, which said
"u") and the default asked now (version 2 onwards: "je", docs/voice.md; migration 0005).

The criteria come from the K&G-Lijn's own survey (source 001 §3): wachttijd, beleefdheid,
informatieverstrekking and in welke mate de dienstverlening aan te bevelen is (NPS, 0–10).
"""

from __future__ import annotations

from typing import Final

# criterion -> (text_nl, text_en, low_label_nl, high_label_nl, low_label_en, high_label_en)
FIRST_WORDING: Final[dict[str, tuple[str, str, str, str, str, str]]] = {
    "waiting_time": (
        "Hoe tevreden bent u over de wachttijd?",
        "How satisfied are you with the waiting time?",
        "zeer ontevreden",
        "zeer tevreden",
        "very dissatisfied",
        "very satisfied",
    ),
    "courtesy": (
        "Hoe tevreden bent u over de beleefdheid van onze medewerker?",
        "How satisfied are you with the courtesy of our employee?",
        "zeer ontevreden",
        "zeer tevreden",
        "very dissatisfied",
        "very satisfied",
    ),
    "information": (
        "Hoe tevreden bent u over de informatie die u kreeg?",
        "How satisfied are you with the information you received?",
        "zeer ontevreden",
        "zeer tevreden",
        "very dissatisfied",
        "very satisfied",
    ),
    "recommendation": (
        "Hoe waarschijnlijk is het dat u de K&G-Lijn aanbeveelt aan familie of vrienden?",
        "How likely are you to recommend the K&G-Lijn to family or friends?",
        "helemaal niet waarschijnlijk",
        "zeer waarschijnlijk",
        "not at all likely",
        "extremely likely",
    ),
}

# The Dutch questions in the "je" form Kind en Gezin uses with parents (migration 0005 holds
# its own frozen copy).
_JE_TEXT_NL: Final[dict[str, str]] = {
    "waiting_time": "Hoe tevreden ben je over de wachttijd?",
    "courtesy": "Hoe tevreden ben je over de beleefdheid van onze medewerker?",
    "information": "Hoe tevreden ben je over de informatie die je kreeg?",
    "recommendation": (
        "Hoe waarschijnlijk is het dat je de K&G-Lijn aanbeveelt aan familie of vrienden?"
    ),
}

# The wording a database without any version starts from.
DEFAULT_WORDING: Final[dict[str, tuple[str, str, str, str, str, str]]] = {
    criterion: (_JE_TEXT_NL[criterion], *texts[1:]) for criterion, texts in FIRST_WORDING.items()
}

# The low-score rules from the start, criterion -> (threshold, active): courtesy ≤ 2 or NPS ≤ 3
# (issue 5); the other two exist switched off, ready to be switched on.
DEFAULT_LOW_SCORE_RULES: Final[dict[str, tuple[int, bool]]] = {
    "waiting_time": (1, False),
    "courtesy": (2, True),
    "information": (1, False),
    "recommendation": (3, True),
}

# Dutch names of the criteria for stored texts (the follow-up task's reasons), independent of
# the reader's language: the source documents' own terms.
CRITERION_NL: Final[dict[str, str]] = {
    "waiting_time": "wachttijd",
    "courtesy": "beleefdheid",
    "information": "informatieverstrekking",
    "recommendation": "aanbeveling (NPS)",
}
