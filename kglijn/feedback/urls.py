from django.urls import URLPattern, URLResolver, path

from kglijn.feedback.views import employee, public, teams

app_name = "feedback"
urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", employee.my_feedback, name="mine"),
    path("visits/new/", employee.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/card/", employee.visit_card, name="visit_card"),
    path("visits/<int:visit_id>/new-link/", employee.visit_reissue, name="visit_reissue"),
    path("teams/", teams.team_figures, name="teams"),
    path("teams/feedback-lokale-teams.xlsx", teams.team_figures_download, name="teams_xlsx"),
    path("teams/<int:team_id>/remarks/", teams.team_remarks, name="team_remarks"),
    path("bedankt/", public.feedback_thanks, name="thanks"),
    # Last: the parent's link. Anything else under /feedback/ lands here and gets the kind
    # "this link is not valid" page (a real token has 22 characters; the paths above are fixed).
    path("<str:token>/", public.feedback_answer, name="answer"),
]
