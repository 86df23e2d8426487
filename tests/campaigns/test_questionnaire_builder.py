"""The questionnaire builder and the version rules: edit, validation naming the field, new
version copies everything, frozen versions refuse every edit, conditions and hidden answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.campaigns.models import (
    Answer,
    CampaignStatus,
    Item,
    ItemKind,
    Mode,
    Questionnaire,
    Response,
    ResponseSource,
    Theme,
)
from kglijn.campaigns.questionnaire.services import (
    answers_save,
    response_complete,
    version_copy,
    version_freeze,
    version_frozen_reason,
    version_problems,
    visible_items,
)
from tests.campaigns.questionnaire_world import build_version, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("team_lead", "lead"))
    return client


def test_create_a_questionnaire_then_themes_and_items(lead: Client) -> None:
    page = lead.post(
        reverse("campaigns:questionnaire_new"), {"name": "Organisatoren", "audience": "organisers"}
    )
    questionnaire = Questionnaire.objects.get(name="Organisatoren")
    version = questionnaire.versions.get()
    assert page["Location"] == reverse("campaigns:version_detail", args=[version.pk])
    assert version.number == 1
    lead.post(
        reverse("campaigns:theme_new", args=[version.pk]), {"key": "website", "title_nl": "Website"}
    )
    theme = Theme.objects.get(version=version)
    lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {"key": "vindbaar", "kind": "rated", "theme": theme.pk, "text_nl": "Je vindt wat je zoekt"},
    )
    lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {"key": "score", "kind": "overall", "text_nl": "Je score", "required": "on"},
    )
    lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {
            "key": "soort",
            "kind": "choice",
            "text_nl": "Soort opvang",
            "choices_text": "groep | Groepsopvang | Group\ngezin | Gezinsopvang",
        },
    )
    choice = Item.objects.get(key="soort")
    assert choice.choices[1] == {"value": "gezin", "label_nl": "Gezinsopvang", "label_en": ""}
    made = lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {
            "key": "waarom",
            "kind": "open",
            "text_nl": "Waarom?",
            "show_if_item": choice.pk,
            "show_if_values_text": "gezin",
        },
    )
    assert made.status_code == 302
    assert Item.objects.get(key="waarom").show_if_values == ["gezin"]
    assert [i.position for i in version.items.order_by("position")] == [1, 2, 3, 4]
    assert version_problems(version) == []
    page = lead.get(reverse("campaigns:version_detail", args=[version.pk]))
    assert "Geen problemen" in page.content.decode()
    preview = lead.get(reverse("campaigns:version_preview", args=[version.pk]))
    assert preview.status_code == 200
    assert "Je vindt wat je zoekt" in preview.content.decode()


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"key": "Hoofd Letters", "kind": "open", "text_nl": "x"}, "key", "kleine letters"),
        ({"key": "telefoon-snel", "kind": "open", "text_nl": "x"}, "key", "al een vraag"),
        ({"key": "k", "kind": "choice", "text_nl": "x"}, "choices_text", "minstens één keuze"),
        ({"key": "k", "kind": "rated", "text_nl": "x"}, "theme", "hoort bij een thema"),
        ({"key": "k", "kind": "overall", "text_nl": "x"}, "kind", "al een algemene score"),
        (
            {"key": "k", "kind": "open", "text_nl": "x", "show_if_values_text": "web"},
            "show_if_values_text",
            "Kies de vraag",
        ),
        ({"key": "k", "kind": "open", "text_nl": "a\x00b"}, "text_nl", "stuurtekens"),
        (
            {"key": "k", "kind": "choice", "text_nl": "x", "choices_text": "a\na"},
            "choices_text",
            "twee keer",
        ),
    ],
)
def test_the_item_form_names_the_wrong_field(
    lead: Client, post: dict[str, str], field: str, message: str
) -> None:
    version = build_version()
    page = lead.post(reverse("campaigns:item_new", args=[version.pk]), post)
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])


def test_a_condition_only_on_an_earlier_item_with_its_answers(lead: Client) -> None:
    version = build_version()
    kanaal = Item.objects.get(version=version, key="kanaal")
    algemeen = Item.objects.get(version=version, key="algemeen")
    # answers not among the choices
    page = lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {
            "key": "k",
            "kind": "open",
            "text_nl": "x",
            "show_if_item": kanaal.pk,
            "show_if_values_text": "fax",
        },
    )
    assert "fax is geen antwoord op kanaal" in " ".join(
        page.context["form"].errors["show_if_values_text"]
    )
    # a score condition takes 0..10
    page = lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {
            "key": "k",
            "kind": "open",
            "text_nl": "x",
            "show_if_item": algemeen.pk,
            "show_if_values_text": "11",
        },
    )
    assert page.status_code == 400
    ok = lead.post(
        reverse("campaigns:item_new", args=[version.pk]),
        {
            "key": "laag",
            "kind": "open",
            "text_nl": "x",
            "show_if_item": algemeen.pk,
            "show_if_values_text": "0, 1, 2",
        },
    )
    assert ok.status_code == 302
    # an item cannot depend on a later one: the later item is not offered
    first = Item.objects.get(version=version, key="telefoon-snel")
    page = lead.post(
        reverse("campaigns:item_edit", args=[first.pk]),
        {
            "key": first.key,
            "kind": "rated",
            "theme": first.theme_id,
            "text_nl": "x",
            "show_if_item": kanaal.pk,
            "show_if_values_text": "web",
        },
    )
    assert "show_if_item" in page.context["form"].errors


def test_version_problems_name_what_is_wrong() -> None:
    version = build_version()
    assert version_problems(version) == []
    Item.objects.filter(version=version, kind=ItemKind.OVERALL).delete()
    Item.objects.filter(key="kanaal").update(choices=[])
    waarom = Item.objects.get(key="waarom")
    Item.objects.filter(pk=waarom.pk).update(position=0, show_if_values=["fax"])
    problems = version_problems(version)
    assert any("precies één algemene score" in p for p in problems)
    assert any("kanaal: een keuzevraag heeft keuzes nodig" in p for p in problems)
    assert any("waarom: ze kan enkel van een eerdere vraag afhangen" in p for p in problems)
    assert any("fax is geen antwoord op kanaal" in p for p in problems)


def test_reorder_and_delete(lead: Client) -> None:
    version = build_version()
    openingsuren = Item.objects.get(key="openingsuren")
    lead.post(reverse("campaigns:item_move", args=[openingsuren.pk]), {"richting": "up"})
    assert list(version.items.order_by("position").values_list("key", flat=True))[:2] == [
        "openingsuren",
        "telefoon-snel",
    ]
    # the open question cannot move above the choice it depends on
    waarom = Item.objects.get(key="waarom")
    page = lead.post(
        reverse("campaigns:item_move", args=[waarom.pk]), {"richting": "up"}, follow=True
    )
    assert "hangt af van kanaal" in page.content.decode()
    # nor can the choice be deleted while something depends on it
    kanaal = Item.objects.get(key="kanaal")
    lead.post(reverse("campaigns:item_delete", args=[kanaal.pk]))
    assert Item.objects.filter(pk=kanaal.pk).exists()
    info = Theme.objects.get(version=version, key="informatie")
    lead.post(reverse("campaigns:theme_move", args=[info.pk]), {"richting": "up"})
    assert list(version.themes.order_by("position").values_list("key", flat=True)) == [
        "informatie",
        "bereikbaarheid",
    ]


def test_new_version_copies_themes_items_and_conditions(lead: Client) -> None:
    version = build_version()
    lead.post(reverse("campaigns:version_new", args=[version.pk]))
    new = version.questionnaire.versions.get(number=2)
    assert new.introduction_nl == "Welkom."
    assert list(new.themes.values_list("key", "position", "title_en")) == list(
        version.themes.values_list("key", "position", "title_en")
    )
    fields = (
        "key",
        "position",
        "kind",
        "text_nl",
        "text_en",
        "choices",
        "required",
        "in_short_version",
        "show_if_values",
        "theme__key",
    )
    assert list(new.items.order_by("position").values_list(*fields)) == list(
        version.items.order_by("position").values_list(*fields)
    )
    waarom = new.items.get(key="waarom")
    assert waarom.show_if_item is not None
    assert waarom.show_if_item.version == new
    assert waarom.theme is None
    assert new.items.get(key="website").theme.version == new  # type: ignore[union-attr]
    assert new.frozen_at is None


def _every_edit(lead: Client, version_pk: int) -> list[Any]:
    item = Item.objects.filter(version_id=version_pk).first()
    theme = Theme.objects.filter(version_id=version_pk).first()
    assert item is not None
    assert theme is not None
    return [
        lead.post(
            reverse("campaigns:item_new", args=[version_pk]),
            {"key": "nieuw", "kind": "open", "text_nl": "x"},
        ),
        lead.post(
            reverse("campaigns:item_edit", args=[item.pk]),
            {"key": item.key, "kind": item.kind, "theme": item.theme_id, "text_nl": "ander"},
        ),
        lead.post(reverse("campaigns:item_move", args=[item.pk]), {"richting": "down"}),
        lead.post(reverse("campaigns:item_delete", args=[item.pk])),
        lead.post(reverse("campaigns:theme_new", args=[version_pk]), {"key": "x", "title_nl": "X"}),
        lead.post(reverse("campaigns:theme_edit", args=[theme.pk]), {"key": "y", "title_nl": "Y"}),
        lead.post(reverse("campaigns:theme_move", args=[theme.pk]), {"richting": "down"}),
        lead.post(reverse("campaigns:theme_delete", args=[theme.pk])),
        lead.post(
            reverse("campaigns:version_introduction", args=[version_pk]),
            {"introduction_nl": "Anders"},
        ),
    ]


@pytest.mark.parametrize("why", ["frozen", "fieldwork", "responses"])
def test_a_frozen_version_refuses_every_edit(lead: Client, why: str) -> None:
    world = build_world(units=1, status=CampaignStatus.DRAWN)
    version = world.version
    if why == "frozen":
        version_freeze(version, timezone.now())
    elif why == "fieldwork":
        world.campaign.status = CampaignStatus.FIELDWORK
        world.campaign.save()
    else:
        Response.objects.create(
            campaign=world.campaign,
            source=ResponseSource.APP,
            mode=Mode.WEB,
            started_at=timezone.now(),
        )
    assert version_frozen_reason(version)
    before = list(version.items.order_by("position").values_list("key", "position", "text_nl"))
    themes = list(version.themes.order_by("position").values_list("key", "position"))
    for response in _every_edit(lead, version.pk):
        assert response.status_code == 302
    assert (
        list(version.items.order_by("position").values_list("key", "position", "text_nl")) == before
    )
    assert list(version.themes.order_by("position").values_list("key", "position")) == themes
    version.refresh_from_db()
    assert version.introduction_nl == "Welkom."
    page = lead.get(reverse("campaigns:version_detail", args=[version.pk]))
    assert "nieuwe versie" in page.content.decode()
    # a new version can be edited again
    copy = version_copy(version)
    assert version_frozen_reason(copy) is None


def test_freezing_needs_a_version_without_problems(lead: Client) -> None:
    version = build_version()
    Item.objects.filter(version=version, kind=ItemKind.OVERALL).delete()
    lead.post(reverse("campaigns:version_freeze", args=[version.pk]))
    version.refresh_from_db()
    assert version.frozen_at is None
    version = build_version("Tweede")
    lead.post(reverse("campaigns:version_freeze", args=[version.pk]))
    version.refresh_from_db()
    assert version.frozen_at is not None
    first = version.frozen_at
    version_freeze(version, timezone.now())
    assert version.frozen_at == first


def test_the_analyst_reads_but_does_not_edit(make_user: Any) -> None:
    version = build_version()
    analyst = Client()
    analyst.force_login(make_user("analyst", "analyst"))
    assert analyst.get(reverse("campaigns:version_detail", args=[version.pk])).status_code == 200
    page = analyst.get(reverse("campaigns:questionnaire_list"))
    assert page.status_code == 200
    assert "Nieuwe vragenlijst" not in page.content.decode()
    assert analyst.post(reverse("campaigns:item_new", args=[version.pk]), {}).status_code == 403


# --- conditions and answers (the services other packages call) ---------------------------------


def test_visible_items_follow_the_conditions_recursively() -> None:
    version = build_version()
    kanaal = Item.objects.get(version=version, key="kanaal")
    waarom = Item.objects.get(version=version, key="waarom")
    Item.objects.create(
        version=version,
        key="verder",
        position=20,
        kind=ItemKind.OPEN,
        text_nl="En verder?",
        show_if_item=waarom,
        show_if_values=["x"],
    )
    keys = lambda answers: [i.key for i in visible_items(version, answers)]  # noqa: E731
    assert "waarom" not in keys({})
    assert "waarom" in keys({"kanaal": "geen"})
    assert "waarom" not in keys({"kanaal": "web"})
    # "verder" depends on "waarom", which is hidden: hidden too, whatever its own answer
    assert "verder" not in keys({"kanaal": "web", "waarom": "x"})
    assert "verder" in keys({"kanaal": "geen", "waarom": "x"})
    assert kanaal.key in keys({})


def _response(world: Any) -> Response:
    unit = world.units[0]
    return Response.objects.create(
        campaign=world.campaign,
        unit=unit,
        invitation=unit.invitation,
        source=ResponseSource.APP,
        mode=Mode.WEB,
        started_at=timezone.now(),
    )


def test_answers_save_refuses_hidden_answers_and_deletes_newly_hidden_ones() -> None:
    world = build_world(units=1)
    response = _response(world)
    problems = answers_save(response, {"kanaal": {"choice": "web"}, "waarom": {"text": "Zo"}})
    assert problems == ["waarom.*: niet gevraagd bij het antwoord op kanaal"]
    assert not Answer.objects.exists()  # nothing saved when any problem
    assert answers_save(response, {"kanaal": {"choice": "geen"}, "waarom": {"text": "Zo"}}) == []
    assert Answer.objects.count() == 2
    assert answers_save(response, {"kanaal": {"choice": "web"}}) == []
    assert list(response.answers.values_list("item__key", flat=True)) == ["kanaal"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"website": {"satisfaction": "11"}}, "website.satisfaction"),
        ({"website": {"importance": "-1"}}, "website.importance"),
        ({"website": {"satisfaction": "5abc"}}, "website.satisfaction"),
        ({"website": {"satisfaction": True}}, "website.satisfaction"),
        ({"algemeen": {"score": 11}}, "algemeen.score"),
        ({"algemeen": {"score": ["5"]}}, "algemeen.score"),
        ({"kanaal": {"choice": "fax"}}, "kanaal.choice"),
        ({"kanaal": "web"}, "kanaal.*"),
    ],
)
def test_answers_save_bounds_every_value(data: dict[str, Any], problem: str) -> None:
    world = build_world(units=1)
    response = _response(world)
    problems = answers_save(response, {"folders": {"satisfaction": "7"}, **data})
    assert len(problems) == 1
    assert problems[0].startswith(problem)
    assert not Answer.objects.exists()


def test_answers_save_ignores_unknown_keys_and_keeps_the_last_position() -> None:
    world = build_world(units=1)
    response = _response(world)
    assert (
        answers_save(response, {"bestaat-niet": {"score": "99"}, "website": {"satisfaction": 7}})
        == []
    )
    response.refresh_from_db()
    assert response.last_position == 3
    answers_save(response, {"telefoon-snel": {"satisfaction": "8"}})
    response.refresh_from_db()
    assert response.last_position == 3  # the highest reached
    # short: items outside the short version are ignored
    assert answers_save(response, {"folders": {"satisfaction": "x"}}, short=True) == []


def test_response_complete_needs_the_required_items() -> None:
    world = build_world(units=1)
    response = _response(world)
    assert response_complete(response, timezone.now()) == [
        "algemeen.*: deze vraag heeft een antwoord nodig"
    ]
    answers_save(response, {"algemeen": {"score": "10"}})
    assert response_complete(response, timezone.now()) == []
    response.refresh_from_db()
    assert response.completed_at is not None
    assert response.invitation is not None
    assert response.invitation.status == "completed"


def test_staff_need_a_login_first(client: Client, django_user_model: type[User]) -> None:
    page = client.get(reverse("campaigns:questionnaire_list"))
    assert page.status_code == 302
    assert "login" in page["Location"]
