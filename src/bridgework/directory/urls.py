"""Network-scoped directory pages: every pattern here is under /n/<network>/."""

from django.urls import path

from bridgework.directory.views import groups, imports, members, overview, people, settings

app_name = "directory"
urlpatterns = [
    path("", overview.home, name="home"),
    path("people/", people.index, name="people"),
    path("people/new/", people.create, name="people_new"),
    path("people/export.csv", people.export_csv, name="people_export_csv"),
    path("people/export.xlsx", people.export_xlsx, name="people_export_xlsx"),
    path("people/import/", imports.upload, name="people_import"),
    path("people/import/<int:pk>/", imports.preview, name="imports_preview"),
    path("people/import/<int:pk>/confirm/", imports.confirm, name="imports_confirm"),
    path("people/<int:pk>/", people.show, name="people_show"),
    path("people/<int:pk>/edit/", people.edit, name="people_edit"),
    path("people/<int:pk>/active/", people.set_active, name="people_set_active"),
    path("settings/", settings.edit, name="settings"),
    path("members/", members.index, name="members"),
    path("members/invitations/<int:pk>/revoke/", members.revoke, name="members_revoke"),
]
for kind in groups.KINDS:
    urlpatterns += [
        path(f"{kind}/", groups.list_view(kind), name=kind),
        path(f"{kind}/new/", groups.edit_view(kind, creating=True), name=f"{kind}_new"),
        path(f"{kind}/<int:pk>/edit/", groups.edit_view(kind, creating=False), name=f"{kind}_edit"),
    ]
