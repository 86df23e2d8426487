from django.urls import path

from kglijn.contacts.views import audit, catalogues, contact, desk

app_name = "contacts"

urlpatterns = [
    path("", desk.desk, name="desk"),
    path("contacts/new/", contact.contact_new, name="new"),
    path("contacts/province/", contact.province_lookup, name="province_lookup"),
    path("contacts/search/", contact.search, name="search"),
    path("contacts/<int:contact_id>/", contact.contact_detail, name="detail"),
    path("contacts/<int:contact_id>/edit/", contact.contact_edit, name="edit"),
    path("contacts/<int:contact_id>/escalate/", contact.contact_escalate, name="escalate"),
    path("contacts/<int:contact_id>/take/", contact.contact_take, name="take"),
    path("contacts/<int:contact_id>/close/", contact.contact_close, name="close"),
    path("contacts/<int:contact_id>/reopen/", contact.contact_reopen, name="reopen"),
    path("catalogues/", catalogues.catalogue_index, name="catalogues"),
    path("catalogues/<str:kind>/new/", catalogues.catalogue_add, name="catalogue_add"),
    path("catalogues/<str:kind>/<int:pk>/", catalogues.catalogue_edit, name="catalogue_edit"),
    path(
        "catalogues/<str:kind>/<int:pk>/toggle/",
        catalogues.catalogue_toggle,
        name="catalogue_toggle",
    ),
    path("audit/", audit.audit_log, name="audit_log"),
]
