from django.urls import URLPattern, URLResolver, path

from kglijn.knowledge.views import manage, reading

app_name = "knowledge"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", reading.index, name="index"),
    path("zoeken/", reading.search, name="search"),
    path("<int:article_id>/", reading.detail, name="detail"),
    path("<int:article_id>/openen/", reading.open_in_panel, name="open"),
    path("<int:article_id>/gebruik/", reading.use, name="use"),
    path("beheer/", manage.article_list, name="manage_list"),
    path("beheer/nieuw/", manage.article_new, name="manage_new"),
    path("beheer/<int:article_id>/", manage.article_edit, name="manage_edit"),
    path("beheer/<int:article_id>/geschiedenis/", manage.article_history, name="manage_history"),
    path("beheer/<int:article_id>/archiveren/", manage.article_archive_view, name="manage_archive"),
    path("beheer/gebruik/", manage.usage, name="usage"),
]
