from django.urls import path

from kglijn.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.desk, name="desk"),
]
