from django.urls import path

from kglijn.telephony import views, views_held

app_name = "telephony"

urlpatterns = [
    path("service-levels/", views.service_levels_page, name="service_levels"),
    path(
        "service-levels/serviceniveau.xlsx",
        views.service_levels_download,
        name="service_levels_xlsx",
    ),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("my-call/", views.my_call, name="my_call"),
    path("held-events/", views_held.held_events, name="held_events"),
    path("held-events/retry/", views_held.held_events_retry, name="held_events_retry"),
]
