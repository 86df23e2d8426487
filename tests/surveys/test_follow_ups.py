"""The team leads' follow-up page, the low-score rules and the wording pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from kglijn.contacts.models import Contact
from kglijn.core.models import AuditEvent
from kglijn.surveys.models import FollowUpTask, LowScoreRule, Source, SurveyVersion
from kglijn.surveys.services import survey_response_record
from tests.conftest import PASSWORD
from tests.contacts.factories import DEFAULT_RECEIVED_AT, ContactFactory
from tests.surveys.factories import GOOD, survey_snapshot, team_make

pytestmark = pytest.mark.django_db

URL = "/surveys/follow-ups/"


def login(client: Client, user) -> Client:
    """Logged in, with English chosen on the NL/EN switch (the messages the assertions read)."""
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def login_nl(client: Client, user) -> Client:
    """Logged in, in the default Dutch (the paging and filter texts the assertions read)."""
    assert client.login(username=user.username, password=PASSWORD)
    return client


def low_score(handler, minutes: int = 5) -> FollowUpTask:
    contact = ContactFactory.create(handler=handler)
    response, _ = survey_response_record(
        contact=contact,
        source=Source.IVR,
        answers={**GOOD, "courtesy": 1},
        complete=True,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(minutes=minutes),
    )
    return FollowUpTask.objects.get(response=response)


@pytest.fixture
def teams(make_user, team_lead):
    """agent-a in the team of `lead`, agent-b in the team of another lead, agent-c in none."""
    agents = {name: make_user("front_office", name) for name in ("agent-a", "agent-b", "agent-c")}
    other_lead = make_user("team_lead", "other-lead")
    team_make(name="Team A", lead=team_lead, members=[agents["agent-a"]])
    team_make(name="Team B", lead=other_lead, members=[agents["agent-b"]])
    return agents, other_lead


def test_a_lead_sees_own_and_unassigned_open_tasks_with_a_link_to_the_contact(
    client, team_lead, teams
) -> None:
    agents, _ = teams
    mine = low_score(agents["agent-a"])
    others = low_score(agents["agent-b"])
    unassigned = low_score(agents["agent-c"])

    html = login(client, team_lead).get(URL).content.decode()

    assert f'id="task-{mine.pk}"' in html
    assert f'id="task-{unassigned.pk}"' in html
    assert f'id="task-{others.pk}"' not in html
    assert f'href="/desk/contacts/{mine.contact_id}/#survey"' in html
    assert "2 open tasks" in html
    assert html.index(f'id="task-{mine.pk}"') < html.index(f'id="task-{unassigned.pk}"')


def test_marking_a_task_done_records_the_outcome(client, team_lead, teams) -> None:
    agents, _ = teams
    task = low_score(agents["agent-a"])
    login(client, team_lead)

    response = client.post(f"{URL}{task.pk}/done/", {"outcome": "Ouder teruggebeld."})

    assert response.status_code == 302
    assert response["Location"] == URL
    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == ("done", "Ouder teruggebeld.", team_lead)
    html = client.get(URL).content.decode()
    assert "No open follow-up tasks." in html
    assert "Ouder teruggebeld." not in html  # done tasks are one filter away
    done = client.get(URL, {"status": "done"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ouder teruggebeld." in done


def test_an_empty_outcome_is_refused_and_changes_nothing(client, team_lead, teams) -> None:
    agents, _ = teams
    task = low_score(agents["agent-a"])
    before = survey_snapshot()

    response = login(client, team_lead).post(f"{URL}{task.pk}/done/", {"outcome": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert survey_snapshot() == before


def test_another_leads_task_cannot_be_closed(client, team_lead, teams) -> None:
    agents, _ = teams
    task = low_score(agents["agent-b"])
    before = survey_snapshot()

    response = login(client, team_lead).post(f"{URL}{task.pk}/done/", {"outcome": "Gedaan"})

    assert response.status_code == 404
    assert survey_snapshot() == before


def test_agents_have_no_follow_up_page_and_no_link(client, agent, team_lead) -> None:
    login(client, agent)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}1/done/", {"outcome": "x"}).status_code == 403
    assert b'href="/surveys/follow-ups/"' not in client.get("/desk/").content

    desk = login(client, team_lead).get("/desk/").content
    assert b'href="/surveys/follow-ups/"' in desk


@pytest.fixture
def many_tasks(teams) -> list[FollowUpTask]:
    """30 open tasks of agent-a (the lead's team): 2 pages of 25."""
    agents, _ = teams
    return [low_score(agents["agent-a"], minutes=index) for index in range(30)]


def task_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="task-(\d+)"', html)]


def test_the_open_tasks_come_25_to_a_page_oldest_first(client, team_lead, many_tasks) -> None:
    login_nl(client, team_lead)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    in_order = [task.pk for task in sorted(many_tasks, key=lambda task: (task.created_at, task.pk))]
    assert task_ids(first) == in_order[:25]
    assert task_ids(second) == in_order[25:]
    assert "30 open taken" in first
    assert "Pagina 1 van 2" in first
    assert 'href="?page=2" rel="next">Volgende →</a>' in first
    assert 'href="?page=1" rel="prev">← Vorige</a>' in second
    assert "Volgende" not in second


def test_only_the_task_being_completed_has_a_text_box(client, team_lead, many_tasks) -> None:
    login(client, team_lead)
    task = many_tasks[27]

    listing = client.get(URL, {"page": 2}).content.decode()
    opened = client.get(URL, {"page": 2, "complete": task.pk}).content.decode()

    assert "<textarea" not in listing
    assert listing.count("data-complete") == 5
    assert f'href="?page=2&amp;complete={task.pk}#task-{task.pk}"' in listing
    assert opened.count("<textarea") == 1
    row = re.search(rf'<tr id="task-{task.pk}">.*?</tr>', opened, re.S)
    assert row is not None
    assert "<textarea" in row.group(0)
    assert f'action="/surveys/follow-ups/{task.pk}/done/"' in row.group(0)
    assert 'name="next" value="/surveys/follow-ups/?page=2"' in row.group(0)


def test_completing_returns_to_the_same_filtered_page(client, team_lead, many_tasks) -> None:
    login_nl(client, team_lead)
    task = many_tasks[26]
    back = f"{URL}?channel=phone&page=2"

    refused = client.post(f"{URL}{task.pk}/done/", {"outcome": " ", "next": back})
    done = client.post(f"{URL}{task.pk}/done/", {"outcome": "Teruggebeld.", "next": back})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert html.count("<textarea") == 1
    assert f'<tr id="task-{task.pk}">' in html
    assert "Pagina 2 van 2" in html
    assert '<option value="phone" selected>' in html
    assert done.status_code == 302
    assert done["Location"] == back
    task.refresh_from_db()
    assert task.status == "done"


def test_the_filters_narrow_the_list_and_stay_on_every_page(
    client, team_lead, teams, many_tasks
) -> None:
    agents, _ = teams
    login_nl(client, team_lead)
    email_tasks = many_tasks[:3]
    Contact.objects.filter(pk__in=[task.contact_id for task in email_tasks]).update(channel="email")
    unassigned = low_score(agents["agent-c"])
    FollowUpTask.objects.filter(pk=many_tasks[5].pk).update(
        created_at=dt.datetime(2024, 3, 4, 10, 0, tzinfo=dt.UTC)
    )

    by_channel = client.get(URL, {"channel": "email"}).content.decode()
    by_team = client.get(URL, {"team": "none"}).content.decode()
    by_period = client.get(URL, {"opened_from": "2024-03-04", "opened_to": "2024-03-04"})
    phone_page_2 = client.get(URL, {"channel": "phone", "page": 2}).content.decode()

    assert sorted(task_ids(by_channel)) == sorted(task.pk for task in email_tasks)
    assert "3 taken voldoen aan de filters." in by_channel
    assert "31 open taken" in by_channel  # the headline counts every open task
    assert task_ids(by_team) == [unassigned.pk]
    assert task_ids(by_period.content.decode()) == [many_tasks[5].pk]
    # 28 phone tasks: the filter travels with the page links.
    assert len(task_ids(phone_page_2)) == 3
    assert 'href="?channel=phone&amp;page=1" rel="prev">' in phone_page_2
    assert 'href="?channel=phone&amp;page=2&amp;complete=' in phone_page_2


def test_done_tasks_are_a_filter_away_most_recent_first(client, team_lead, many_tasks) -> None:
    login(client, team_lead)
    for task in many_tasks[:2]:
        client.post(f"{URL}{task.pk}/done/", {"outcome": f"Gedaan {task.pk}"})

    html = client.get(URL, {"status": "done"}).content.decode()

    assert task_ids(html) == [many_tasks[1].pk, many_tasks[0].pk]
    assert "<textarea" not in html
    assert "data-complete" not in html
    assert f"Gedaan {many_tasks[0].pk}" in html


def test_a_wrong_filter_falls_back_to_every_open_task(client, team_lead, many_tasks) -> None:
    login(client, team_lead)

    response = client.get(URL, {"channel": "fax", "opened_from": "1900-01-01", "page": "x"})

    assert response.status_code == 200
    assert len(task_ids(response.content.decode())) == 25


# --- low-score rules ------------------------------------------------------------------------


def rules_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "waiting_time-threshold": 1,
        "courtesy-active": "on",
        "courtesy-threshold": 2,
        "information-threshold": 1,
        "recommendation-active": "on",
        "recommendation-threshold": 3,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_team_lead_changes_a_rule_and_it_is_audited(client, team_lead) -> None:
    login(client, team_lead)

    response = client.post(
        "/surveys/rules/",
        rules_form(**{"waiting_time-active": "on", "waiting_time-threshold": 2}),
    )

    assert response.status_code == 302
    rules = set(LowScoreRule.objects.values_list("criterion", "threshold", "active"))
    assert rules == {
        ("waiting_time", 2, True),
        ("courtesy", 2, True),
        ("information", 1, False),
        ("recommendation", 3, True),
    }
    event = AuditEvent.objects.get(object_type="survey_low_score_rule")
    assert (event.actor, event.action, event.detail) == (
        team_lead,
        "change",
        {"criterion": "waiting_time", "threshold": 2, "active": True},
    )


def test_a_threshold_outside_the_scale_is_refused(client, team_lead) -> None:
    before = survey_snapshot()

    response = login(client, team_lead).post(
        "/surveys/rules/",
        rules_form(**{"courtesy-threshold": 5, "recommendation-threshold": -1}),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 4." in html
    assert "Ensure this value is greater than or equal to 0." in html
    assert survey_snapshot() == before


def test_only_team_leads_and_administrators_change_the_rules(
    client, agent, information_manager, administrator
) -> None:
    before = survey_snapshot()
    for user in (agent, information_manager):
        assert login(client, user).post("/surveys/rules/", rules_form()).status_code == 403
    assert survey_snapshot() == before

    response = login(client, administrator).post(
        "/surveys/rules/", rules_form(**{"information-active": "on"})
    )

    assert response.status_code == 302
    assert LowScoreRule.objects.get(criterion="information").active is True


def test_the_administrator_edits_a_rule_in_the_management_site(client, administrator) -> None:
    rule = LowScoreRule.objects.get(criterion="recommendation")
    login(client, administrator)

    response = client.post(
        f"/beheer/surveys/lowscorerule/{rule.pk}/change/",
        {"threshold": 4, "active": "on"},
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.active) == (4, True)
    assert AuditEvent.objects.filter(
        object_type="survey_low_score_rule", object_id=rule.pk, actor=administrator
    ).exists()
    assert client.get("/beheer/surveys/surveyversion/").status_code == 200


# --- wording --------------------------------------------------------------------------------


def wording_form(**overrides: str) -> dict[str, str]:
    version = SurveyVersion.objects.order_by("-number").first()
    data = {"note": ""}
    for question in version.questions.all():
        for name in (
            "text_nl",
            "text_en",
            "low_label_nl",
            "high_label_nl",
            "low_label_en",
            "high_label_en",
        ):
            data[f"{question.criterion}-{name}"] = getattr(question, name)
    data.update(overrides)
    return data


def test_an_information_manager_changes_the_wording_into_a_new_version(
    client, information_manager
) -> None:
    login(client, information_manager)

    response = client.post(
        "/surveys/wording/",
        wording_form(
            **{
                "information-text_nl": "Hoe duidelijk was de informatie die je kreeg?",
                "note": "Vraag over informatie verduidelijkt",
            }
        ),
    )

    assert response.status_code == 302
    v3 = SurveyVersion.objects.get(number=3)  # after v1 and migration 0005's v2
    assert v3.questions.get(criterion="information").text_nl == (
        "Hoe duidelijk was de informatie die je kreeg?"
    )
    assert SurveyVersion.objects.get(number=2).questions.get(criterion="information").text_nl == (
        "Hoe tevreden ben je over de informatie die je kreeg?"
    )
    html = client.get("/surveys/wording/").content.decode()
    assert "Version 3" in html
    assert "Vraag over informatie verduidelijkt" in html


def test_an_unchanged_or_blank_wording_is_refused(client, information_manager) -> None:
    login(client, information_manager)
    before = survey_snapshot()

    same = client.post("/surveys/wording/", wording_form())
    blank = client.post("/surveys/wording/", wording_form(**{"courtesy-text_nl": ""}))

    assert (same.status_code, blank.status_code) == (400, 400)
    assert "Nothing changed: the wording is the same." in same.content.decode()
    assert "This field is required." in blank.content.decode()
    assert survey_snapshot() == before


def test_team_leads_cannot_change_the_wording(client, team_lead) -> None:
    before = survey_snapshot()

    response = login(client, team_lead).post("/surveys/wording/", wording_form())

    assert response.status_code == 403
    assert survey_snapshot() == before
