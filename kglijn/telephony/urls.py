from django.urls import path

from kglijn.telephony import views, views_held

app_name = "telephony"

# The service-level page, its Excel and the wallboard are in this namespace too, at the same
# paths, from the service-level reader (kglijn/servicelevels/urls.py; joined in config/urls.py).

urlpatterns = [
    path("my-call/", views.my_call, name="my_call"),
    path("held-events/", views_held.held_events, name="held_events"),
    path("held-events/retry/", views_held.held_events_retry, name="held_events_retry"),
]
