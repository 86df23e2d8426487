from django.urls import path

from kglijn.mail import views

app_name = "mail"

urlpatterns = [
    path("contacts/<int:contact_id>/reply/", views.reply, name="reply"),
    path("messages/<int:message_id>/resend/", views.resend, name="resend"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("quarantaine/", views.quarantine, name="quarantine"),
    path("quarantaine/<int:quarantine_id>/bericht/", views.quarantine_raw, name="quarantine_raw"),
    path(
        "quarantaine/<int:quarantine_id>/afhandelen/",
        views.quarantine_handle,
        name="quarantine_handle",
    ),
]
