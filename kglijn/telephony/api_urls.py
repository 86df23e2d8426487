from django.urls import path

from kglijn.telephony import api

app_name = "telephony_api"

urlpatterns = [
    path("events/", api.telephony_events, name="events"),
]
