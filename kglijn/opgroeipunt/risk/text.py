"""Text mining of case texts (subject + description): Dutch tokens, Snowball stems, themes.

Two complementary uses:

* a curated **signal-word lexicon** per theme (injury, neglect, aggression, understaffing,
  hygiene, sleep safety). A case "hits" a theme when one of its words starts with, or (for the
  Dutch compounds such as *hoofdletsel*, *personeelstekort*) contains, one of the theme's roots.
  The lexicon matches surface forms, not stems: the Dutch Snowball stemmer over-stems a few of
  exactly these words (*letsel* → *let*, *geweld* → *wel*, *gewond* → *won*), which would make
  "let op" an injury. Named, countable, explainable.
* **stems** (snowballstemmer "dutch") for the TF-IDF part of the model (``model.py``), which
  picks up wording the lexicon does not name.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

TOKEN = re.compile(r"[a-zà-ÿ]+")
MIN_TOKEN = 3

# theme -> (roots, the word shown in the explanation); roots are lowercase surface fragments.
THEMES: dict[str, tuple[tuple[str, ...], str]] = {
    "injury": (
        (
            "letsel",
            "verwond",
            "gewond",
            "brandwond",
            "wonde",
            "bloed",
            "gebroken",
            "breuk",
            "hechting",
            "ziekenhuis",
            "spoedgevallen",
            "blauwe",
        ),
        "letsel",
    ),
    "neglect": (
        (
            "verwaarloos",
            "verwaarloz",
            "onverzorgd",
            "vuile luier",
            "honger",
            "onbeheerd",
            "alleen gelaten",
            "niet verschoond",
            "zonder toezicht",
        ),
        "verwaarlozing",
    ),
    "aggression": (
        (
            "agressie",
            "agressief",
            "geweld",
            "geslagen",
            "slaan",
            "sloeg",
            "schopp",
            "geschopt",
            "knijp",
            "geknepen",
            "door elkaar geschud",
            "schreeuw",
            "bedreig",
        ),
        "agressie",
    ),
    "understaffing": (
        (
            "personeelstekort",
            "onderbeman",
            "onderbezet",
            "tekort aan begeleid",
            "kindratio",
            "te weinig begeleid",
            "te weinig personeel",
            "geen vervang",
            "alleen met",
        ),
        "personeelstekort",
    ),
    "hygiene": (
        (
            "hygiën",
            "hygien",
            "onhygiën",
            "vuil",
            "schimmel",
            "ongedierte",
            "muizen",
            "luizen",
            "stank",
            "voedselveilig",
        ),
        "hygiëne",
    ),
    "sleep": (
        (
            "buikligging",
            "wiegendood",
            "slaapveilig",
            "onveilig slap",
            "inbaker",
            "dekbed",
            "slaapzak",
            "slaaphouding",
        ),
        "slaapveiligheid",
    ),
}
# Words that contain a root but mean something else ("beletsel": an obstacle).
EXCLUDED = frozenset({"beletsel", "beletselen", "bloedverwant", "bloedverwanten"})

# Dutch function words, left out of the TF-IDF (they carry no theme).
STOPWORDS = frozenset(
    [
        "aan",
        "al",
        "alle",
        "als",
        "alles",
        "ander",
        "andere",
        "bij",
        "daar",
        "dan",
        "dat",
        "de",
        "den",
        "der",
        "deze",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "ge",
        "geen",
        "geweest",
        "had",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "iemand",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "kan",
        "kon",
        "kunnen",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "ons",
        "ook",
        "op",
        "over",
        "reeds",
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
        "want",
        "waren",
        "was",
        "wat",
        "we",
        "wel",
        "werd",
        "wezen",
        "wie",
        "wij",
        "wil",
        "worden",
        "wordt",
        "zal",
        "ze",
        "zei",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zonder",
        "zou",
    ]
)

_stemmer = snowballstemmer.stemmer("dutch")


def normalise(text: str) -> str:
    return " ".join(TOKEN.findall(text.lower()))


def themes_of(text: str) -> frozenset[str]:
    """The themes whose signal words occur in ``text``."""
    plain = normalise(text)
    if not plain:
        return frozenset()
    words = [word for word in plain.split() if word not in EXCLUDED]
    joined = " " + " ".join(words) + " "
    found = set()
    for theme, (roots, _shown) in THEMES.items():
        for root in roots:
            if " " in root:
                if f" {root}" in joined:
                    found.add(theme)
                    break
            elif any(root in word for word in words):
                found.add(theme)
                break
    return frozenset(found)


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def stem_pairs(text: str) -> list[tuple[str, str]]:
    """(stem, word) for the words of ``text`` (three letters or more, no stop words)."""
    return [
        (_stem(word), word)
        for word in normalise(text).split()
        if len(word) >= MIN_TOKEN and word not in STOPWORDS
    ]


def stems(text: str) -> list[str]:
    """The Snowball stems of the words of ``text`` (three letters or more, no stop words)."""
    return [stem for stem, _word in stem_pairs(text)]
