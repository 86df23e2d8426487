"""The pages: the parent's answer page (no login), the employee's visit card and feedback, the
team figures (+ Excel) and the menu."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kglijn.feedback.models import LocalTeam, Visit, VisitFeedback
from kglijn.feedback.services import feedback_submit
from tests.conftest import PASSWORD
from tests.feedback.conftest import noon

pytestmark = pytest.mark.django_db


def log_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def nav(html: str) -> str:
    match = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert match is not None
    return match.group(0)


# --- the parent's page -----------------------------------------------------------------------


def test_the_answer_page_is_dutch_accessible_and_self_contained(client, register) -> None:
    _visit, token = register(kind="home")
    response = client.get(f"/feedback/{token}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="nl-be">' in html
    assert "<legend" in html
    assert "Hoe tevreden ben je over dit huisbezoek?" in html
    radios = re.findall(r'<input type="radio" name="score" value="(\d)"[^>]*id="([^"]+)"', html)
    assert [value for value, _id in radios] == ["1", "2", "3", "4", "5"]
    for _value, radio_id in radios:
        assert f'<label class="choice score-choice" for="{radio_id}">' in html
    assert "1 – Helemaal niet tevreden" in html
    assert "5 – Heel tevreden" in html
    assert 'name="remark"' in html
    # No third-party assets: every src/href is local.
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "/desk/" not in html  # no way into the staff application


def test_answering_stores_it_and_thanks_the_parent(client, register) -> None:
    visit, token = register()
    response = client.post(f"/feedback/{token}/", {"score": "4", "remark": "Goede uitleg"})
    assert response.status_code == 302
    assert response["Location"] == "/feedback/bedankt/"
    assert list(VisitFeedback.objects.values_list("visit_id", "score", "remark")) == [
        (visit.pk, 4, "Goede uitleg")
    ]
    thanks = client.get(response["Location"])
    assert "Bedankt voor je feedback" in thanks.content.decode()
    assert token not in thanks.content.decode()


def test_no_score_shows_an_error_summary_and_stores_nothing(client, register) -> None:
    _visit, token = register()
    response = client.post(f"/feedback/{token}/", {"score": "", "remark": "Iets"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in html
    assert 'role="alert"' in html
    assert 'href="#id_score_0">Kies hoe tevreden je bent (1 tot 5).</a>' in html
    assert "<title>Fout: " in html
    assert re.search(r">\s*Iets</textarea>", html)  # the remark is kept
    assert VisitFeedback.objects.count() == 0


def test_a_second_submission_is_refused_kindly(client, register) -> None:
    _visit, token = register()
    client.post(f"/feedback/{token}/", {"score": "5"})
    again = client.post(f"/feedback/{token}/", {"score": "1", "remark": "Toch niet"})
    page = client.get(f"/feedback/{token}/")
    assert again.status_code == page.status_code == 409
    assert "al beantwoord" in again.content.decode()
    assert 'data-refused="answered"' in page.content.decode()
    assert list(VisitFeedback.objects.values_list("score", "remark")) == [(5, "")]


def test_an_expired_link_is_refused_kindly(client, register) -> None:
    day = timezone.localdate() - dt.timedelta(days=15)
    _visit, token = register(visited_on=day)
    response = client.post(f"/feedback/{token}/", {"score": "5"})
    assert response.status_code == 410
    assert "Deze link is verlopen" in response.content.decode()
    assert VisitFeedback.objects.count() == 0


@pytest.mark.parametrize("path", ["AbCdEfGhIjKlMnOpQrStUv", "kort", "x" * 80, "bedankt-niet"])
def test_an_unknown_or_tampered_link_is_refused_kindly(client, register, path) -> None:
    _visit, token = register()
    response = client.get(f"/feedback/{path}/")
    assert response.status_code == 404
    assert "Deze link is niet geldig" in response.content.decode()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(f"/feedback/{tampered}/", {"score": "5"})
    assert response.status_code == 404
    assert VisitFeedback.objects.count() == 0


# --- the employee ----------------------------------------------------------------------------


def test_registering_a_visit_shows_a_card_with_a_working_link(client, employee, team) -> None:
    log_in(client, employee)
    form = client.get("/feedback/visits/new/")
    assert form.status_code == 200
    assert "Lokaal team Antwerpen-Noord" in form.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(
        "/feedback/visits/new/", {"kind": "clinic", "visited_on": today, "local_team": team.pk}
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/visits/{visit.pk}/card/"
    card = client.get(response["Location"]).content.decode()
    link = re.search(r"data-feedback-link>(http://testserver/feedback/([^/]+)/)<", card)
    assert link is not None
    assert '<svg viewBox="' in card
    assert 'class="qr"' in card
    token = link.group(2)
    client.logout()
    assert client.get(f"/feedback/{token}/").status_code == 200


def test_the_card_in_another_session_offers_a_new_link(client, employee, register) -> None:
    visit, old = register()
    log_in(client, employee)
    card = client.get(f"/feedback/visits/{visit.pk}/card/").content.decode()
    assert "data-feedback-link" not in card
    assert f"/feedback/visits/{visit.pk}/new-link/" in card
    response = client.post(f"/feedback/visits/{visit.pk}/new-link/")
    assert response.status_code == 302
    card = client.get(f"/feedback/visits/{visit.pk}/card/").content.decode()
    new = re.search(r"data-feedback-link>http://testserver/feedback/([^/]+)/<", card)
    assert new is not None
    assert new.group(1) != old
    client.logout()
    assert client.get(f"/feedback/{old}/").status_code == 404
    assert client.get(f"/feedback/{new.group(1)}/").status_code == 200


def test_registering_is_only_for_members_of_a_local_team(client, agent) -> None:
    log_in(client, agent)
    assert client.get("/feedback/visits/new/").status_code == 403
    assert client.post("/feedback/visits/new/", {"kind": "clinic"}).status_code == 403
    assert Visit.objects.count() == 0


def test_a_visit_in_the_future_is_refused_on_the_form(client, employee, team) -> None:
    log_in(client, employee)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        "/feedback/visits/new/", {"kind": "home", "visited_on": tomorrow, "local_team": team.pk}
    )
    assert response.status_code == 200
    assert "Een bezoek kan niet in de toekomst liggen." in response.content.decode()
    assert Visit.objects.count() == 0


def test_my_feedback_lists_newest_first_and_marks_new(client, employee, register) -> None:
    day = timezone.localdate() - dt.timedelta(days=2)
    _v1, first = register(visited_on=day)
    _v2, second = register(visited_on=day)
    feedback_submit(token=first, score=3, remark="Eerste", now=noon(day))
    feedback_submit(token=second, score=5, remark="Tweede", now=noon(day) + dt.timedelta(hours=1))
    log_in(client, employee)
    html = client.get("/feedback/mine/").content.decode()
    assert html.index("Tweede") < html.index("Eerste")
    assert html.count("feedback-item--new") == 2
    assert 'data-figure="average">4,00<' in html
    again = client.get("/feedback/mine/").content.decode()
    assert again.count("feedback-item--new") == 0


def test_the_menu_shows_my_feedback_with_the_unread_count(client, employee, register) -> None:
    _visit, token = register()
    log_in(client, employee)
    assert "data-menu-badge" not in nav(client.get("/feedback/visits/new/").content.decode())
    feedback_submit(token=token, score=4)
    menu = nav(client.get("/feedback/visits/new/").content.decode())
    assert 'href="/feedback/mine/"' in menu
    assert re.search(r'data-menu-badge>1<span class="visually-hidden"> nieuw</span>', menu)
    assert 'href="/feedback/teams/"' not in menu


def test_the_menu_of_staff_outside_local_teams_has_no_my_feedback(client, agent) -> None:
    menu = nav(log_in(client, agent).get("/desk/").content.decode())
    assert "/feedback/mine/" not in menu
    assert "/feedback/teams/" not in menu


# --- team figures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("analyst", 200),
        ("team_lead", 200),
        ("front_office", 403),
        ("pgjo_nurse", 403),
        ("information_manager", 403),
        ("administrator", 403),
    ],
)
def test_who_sees_the_team_figures(client, make_user, role, status) -> None:
    user = make_user(role, f"u-{role}")
    log_in(client, user)
    assert client.get("/feedback/teams/").status_code == status
    assert client.get("/feedback/teams/feedback-lokale-teams.xlsx").status_code == status
    menu = nav(client.get("/feedback/mine/").content.decode())
    assert ('href="/feedback/teams/"' in menu) == (status == 200)


def test_the_team_page_lists_57_teams_with_a_chart_and_no_cdn(client, analyst, register) -> None:
    day = dt.date(2025, 2, 10)
    _visit, token = register(visited_on=day)
    feedback_submit(token=token, score=2, now=noon(day))
    html = log_in(client, analyst).get("/feedback/teams/", {"month": "2025-02"}).content.decode()
    rows = re.findall(r'<tr data-team="([a-z-]+)">', html)
    assert len(rows) == 57 == LocalTeam.objects.count()
    row = re.search(r'<tr data-team="antwerpen-noord">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[1:9] == ["1", "1", "100,0%", "2,00", "0", "1", "0", "0"]
    assert 'data-chart="chart-feedback-scores"' in html
    assert 'id="chart-feedback-scores"' in html
    assert "/static/kglijn/vendor/chartjs/chart.umd.min.js" in html
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []


def test_a_wrong_month_is_an_error_not_a_crash(client, analyst) -> None:
    response = log_in(client, analyst).get("/feedback/teams/", {"month": "2025-13"})
    assert response.status_code == 200
    assert "Geef een maand in als JJJJ-MM, bv. 2025-03." in response.content.decode()
    assert "data-team=" not in response.content.decode()
    excel = client.get("/feedback/teams/feedback-lokale-teams.xlsx", {"month": "maart"})
    assert excel.status_code == 400


def test_the_excel_download_is_dutch_and_named_after_the_month(client, analyst) -> None:
    response = log_in(client, analyst).get(
        "/feedback/teams/feedback-lokale-teams.xlsx", {"month": "2025-02", "province": "BE-VLI"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="feedback-lokale-teams-2025-02.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "Feedback na bezoeken per lokaal team"
    assert sheet["A2"].value == "februari 2025 · Limburg"
    names = [row[1] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert len(names) == 8  # 7 teams in Limburg + total


def test_the_score_labels_follow_the_language_of_the_request_not_of_the_import() -> None:
    # The labels were once formatted at import time, so whichever language was active when the
    # module loaded (English after an English page in the same process) stuck for everyone.
    from django.utils import translation

    from kglijn.feedback.forms import FeedbackForm

    field = FeedbackForm.base_fields["score"]
    with translation.override("nl"):
        dutch = [str(label) for _, label in field.choices]
    with translation.override("en"):
        english = [str(label) for _, label in field.choices]
    assert dutch[0] == "1 – Helemaal niet tevreden"
    assert english[0] == "1 – Not at all satisfied"
