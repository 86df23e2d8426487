"""Issue 20 item 4: the importance × satisfaction quadrants (Martilla & James, crosshair at the
mean of the themes), derived importance, and the open answers' groups."""

from __future__ import annotations

import math

import pytest

from kglijn.campaigns.analysis.openanswers import group_answers, masked
from kglijn.campaigns.analysis.services import (
    CONCENTRATE,
    KEEP_UP,
    LOW_PRIORITY,
    OVERKILL,
    campaign_results,
    quadrant_of,
)
from kglijn.campaigns.models import (
    Answer,
    Audience,
    Campaign,
    Design,
    Item,
    ItemKind,
    Mode,
    PopulationKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseSource,
    Theme,
)
from tests.campaigns.analysis_world import START, build_campaign


def test_quadrant_definition_with_ties_counting_as_high() -> None:
    assert quadrant_of(8, 5, 7, 6) == CONCENTRATE
    assert quadrant_of(8, 7, 7, 6) == KEEP_UP
    assert quadrant_of(6, 5, 7, 6) == LOW_PRIORITY
    assert quadrant_of(6, 7, 7, 6) == OVERKILL
    assert quadrant_of(7, 6, 7, 6) == KEEP_UP  # both on the crosshair
    assert quadrant_of(7, 5.99, 7, 6) == CONCENTRATE
    assert quadrant_of(6.99, 6, 7, 6) == OVERKILL


def _constructed(themes: dict[str, tuple[int | None, int]], respondents: int = 2) -> Campaign:
    """A campaign whose respondents all give each theme (importance, satisfaction)."""
    questionnaire = Questionnaire.objects.create(name="IPA", audience=Audience.PARENTS)
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    items = {}
    for position, key in enumerate(themes, start=1):
        theme = Theme.objects.create(version=version, key=key, position=position, title_nl=key)
        items[key] = Item.objects.create(
            version=version,
            theme=theme,
            key=key,
            position=position,
            kind=ItemKind.RATED,
            text_nl=key,
        )
    campaign = Campaign.objects.create(
        name="IPA",
        audience=Audience.PARENTS,
        version=version,
        population_kind=PopulationKind.BUREAU,
        design=Design.CENSUS,
    )
    for _ in range(respondents):
        response = Response.objects.create(
            campaign=campaign,
            source=ResponseSource.BUREAU,
            mode=Mode.WEB,
            started_at=START,
            completed_at=START,
        )
        Answer.objects.bulk_create(
            Answer(response=response, item=items[key], importance=imp, satisfaction=sat)
            for key, (imp, sat) in themes.items()
        )
    return campaign


@pytest.mark.django_db
def test_quadrants_of_constructed_themes_with_a_tie_at_the_crosshair() -> None:
    # given five themes (importance, satisfaction) whose means are both exactly 6
    campaign = _constructed(
        {
            "a": (9, 4),  # important, low score
            "b": (6, 6),  # on the crosshair: counts as high on both
            "c": (3, 8),
            "d": (3, 4),
            "e": (9, 8),
        }
    )
    results = campaign_results(campaign)
    # then the crosshair is the mean of the theme means
    assert results.crosshair is not None
    assert results.crosshair.satisfaction == 6.0
    assert results.crosshair.importance == 6.0
    quadrants = {theme.theme.key: theme.quadrant for theme in results.themes}
    assert quadrants == {
        "a": CONCENTRATE,
        "b": KEEP_UP,
        "c": OVERKILL,
        "d": LOW_PRIORITY,
        "e": KEEP_UP,
    }
    labels = {theme.theme.key: theme.quadrant_label for theme in results.themes}
    assert labels["a"] == "Hier verbeteren"
    assert labels["b"] == "Goed zo, vasthouden"
    assert labels["c"] == "Mogelijk te veel inspanning"
    assert labels["d"] == "Lage prioriteit"


@pytest.mark.django_db
def test_importance_is_derived_from_the_correlation_with_the_overall_score() -> None:
    # given a campaign that asked no importance
    campaign, version = build_campaign(n=120, margins=None, importance_asked=False)
    results = campaign_results(campaign)
    overall = dict(Answer.objects.filter(item=version.overall).values_list("response_id", "score"))
    for theme in results.themes:
        assert theme.importance is None
        assert theme.derived is not None
        # then it is 10 × Pearson's r of theme satisfaction and the overall score (weights 1)
        per: dict[int, list[int]] = {}
        for rid, sat in Answer.objects.filter(item__in=version.rated[theme.theme.key]).values_list(
            "response_id", "satisfaction"
        ):
            per.setdefault(rid, []).append(sat)
        xs = [sum(v) / len(v) for v in per.values()]
        ys = [overall[rid] for rid in per]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        r = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(
            sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)
        )
        assert theme.derived.correlation == pytest.approx(r, rel=1e-10)
        assert theme.derived.value == pytest.approx(10 * max(r, 0))
        assert theme.derived.ci_low <= theme.derived.value <= theme.derived.ci_high
        assert theme.importance_value == theme.derived.value
        assert theme.quadrant is not None


def test_open_answers_are_grouped_by_shared_stems() -> None:
    answers = [
        "De openingsuren zijn te kort.",
        "Ruimere openingsuren alstublieft",
        "Het openingsuur past niet bij mijn werk",
        "De website is traag",
        "Website werkt niet op mijn gsm",
        "Alles goed!",
        "",
    ]
    grouped = group_answers(answers)
    assert grouped.answers == 6
    first, second = grouped.groups[:2]
    assert (first.stem, first.label, first.count) == ("openingsuur", "openingsuren", 3)
    assert (second.label, second.count) == ("website", 2)
    assert first.examples[0] == "De openingsuren zijn te kort."
    assert all(group.count >= 2 for group in grouped.groups)
    assert grouped.other == 1  # "Alles goed!" has no group


def test_examples_mask_mail_addresses_and_numbers() -> None:
    assert masked("Mail me op jan.peeters@example.be of 0470 12 34 56") == (
        "Mail me op [e-mail] of […]"
    )
    assert len(masked("woord " * 200)) <= 300
