"""Open answers grouped by the words they share (docs/campaigns-analysis.md).

The method, kept simple on purpose so a reader can redo it by hand:

1. Each answer is cut into words (letters only, lower case); words shorter than 3 letters and
   Dutch function words (`STOPWORDS`) are dropped; the rest are reduced to their stem with the
   Dutch Snowball stemmer ("openingsuren" and "openingsuur" both give "openingsuur").
2. A stem counts once per answer; the stems found in at least `MIN_ANSWERS` answers, most
   frequent first (ties: alphabetical), at most `MAX_GROUPS`, are the groups.
3. A group holds every answer that contains its stem, so an answer may sit in two groups; the
   answers in no group are counted as "other". A group is named by the word its answers use
   most for the stem; it shows its count and up to `EXAMPLES` different answers (the earliest), with
   e-mail addresses and long digit runs (phone and register numbers) masked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import snowballstemmer

MIN_LENGTH = 3
MIN_ANSWERS = 2
MAX_GROUPS = 8
EXAMPLES = 5
EXAMPLE_CHARS = 300

_WORD = re.compile(r"[^\W\d_]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS = re.compile(r"\+?\d[\d ./-]{5,}\d")

# Dutch function words and words every satisfaction answer uses (they carry no theme).
STOPWORDS = frozenset(
    [
        "aan",
        "aangezien",
        "af",
        "al",
        "alle",
        "alleen",
        "alles",
        "als",
        "altijd",
        "ander",
        "andere",
        "anders",
        "ben",
        "bij",
        "bijna",
        "bijvoorbeeld",
        "binnen",
        "daar",
        "daarom",
        "dan",
        "dat",
        "de",
        "deze",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "echt",
        "een",
        "eens",
        "eigen",
        "en",
        "enkel",
        "er",
        "erg",
        "ge",
        "geen",
        "geweest",
        "goed",
        "graag",
        "haar",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "iemand",
        "iets",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "jij",
        "jou",
        "jouw",
        "juist",
        "kan",
        "keer",
        "kon",
        "kunnen",
        "later",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "moeten",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nooit",
        "nu",
        "of",
        "om",
        "omdat",
        "ons",
        "onze",
        "ook",
        "op",
        "over",
        "reeds",
        "soms",
        "steeds",
        "te",
        "tegen",
        "toch",
        "toen",
        "tot",
        "u",
        "uit",
        "uw",
        "van",
        "veel",
        "voor",
        "vooral",
        "waar",
        "waren",
        "was",
        "wat",
        "we",
        "wel",
        "welke",
        "werd",
        "wij",
        "wordt",
        "worden",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zoals",
        "zonder",
        "zou",
        "zouden",
        "zeer",
        "vind",
        "vond",
        "kind",
        "kinderen",
    ]
)

_stemmer = snowballstemmer.stemmer("dutch")


@dataclass(frozen=True)
class AnswerGroup:
    stem: str
    label: str  # the word the answers use most for this stem
    count: int  # answers that contain the stem
    examples: list[str]


@dataclass(frozen=True)
class GroupedAnswers:
    answers: int  # non-empty answers
    groups: list[AnswerGroup]
    other: int  # answers in no group


def words(text: str) -> list[str]:
    """The answer's words that may carry a theme (lower case, no function words)."""
    return [
        word
        for word in _WORD.findall(text.lower())
        if len(word) >= MIN_LENGTH and word not in STOPWORDS
    ]


def masked(text: str) -> str:
    """`text` with e-mail addresses and long digit runs masked, cut to EXAMPLE_CHARS."""
    text = _EMAIL.sub("[e-mail]", text)
    text = _DIGITS.sub("[…]", text)
    text = " ".join(text.split())
    if len(text) > EXAMPLE_CHARS:
        text = text[: EXAMPLE_CHARS - 1].rstrip() + "…"
    return text


def group_answers(texts: Sequence[str]) -> GroupedAnswers:
    """Group the answers by their most frequent stems (the module's method)."""
    answers = [text for text in texts if text and text.strip()]
    stems_per_answer: list[set[str]] = []
    frequency: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    known: dict[str, str] = {}  # word -> stem (answers repeat their words; stemming is slow)
    for text in answers:
        found = words(text)
        stems = [
            known.get(word) or known.setdefault(word, _stemmer.stemWord(word)) for word in found
        ]
        for word, stem in zip(found, stems, strict=True):
            surface.setdefault(stem, Counter())[word] += 1
        unique = set(stems)
        stems_per_answer.append(unique)
        frequency.update(unique)
    ranked = sorted(
        (stem for stem, count in frequency.items() if count >= MIN_ANSWERS),
        key=lambda stem: (-frequency[stem], stem),
    )[:MAX_GROUPS]
    groups = []
    for stem in ranked:
        members = [
            text for text, stems in zip(answers, stems_per_answer, strict=True) if stem in stems
        ]
        label = min(surface[stem].items(), key=lambda pair: (-pair[1], pair[0]))[0]
        examples: list[str] = []
        for text in members:
            example = masked(text)
            if example not in examples:
                examples.append(example)
            if len(examples) == EXAMPLES:
                break
        groups.append(AnswerGroup(stem=stem, label=label, count=len(members), examples=examples))
    chosen = set(ranked)
    other = sum(1 for stems in stems_per_answer if not stems & chosen)
    return GroupedAnswers(answers=len(answers), groups=groups, other=other)
