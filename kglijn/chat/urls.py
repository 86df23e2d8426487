from django.urls import URLPattern, URLResolver, path

from kglijn.chat.views import console, public

app_name = "chat"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", public.widget, name="widget"),
    path("start/", public.start, name="start"),
    path("end/", public.end, name="end"),
    path("new/", public.new_chat, name="new"),
    path("transcript.txt", public.transcript_download, name="transcript_download"),
    path("survey/", public.survey, name="survey"),
    path("console/", console.console, name="console"),
    path("console/<int:chat_id>/wrap-up/", console.wrap_up, name="wrap_up"),
    path("transcripts/<int:chat_id>/", console.transcript, name="transcript"),
    path("transcripts/<int:chat_id>/download/", console.transcript_txt, name="transcript_txt"),
    path("contact/<int:contact_id>/", console.contact_transcript, name="contact_transcript"),
]
