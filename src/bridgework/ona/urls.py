"""Network mapping pages of a network: every pattern here is under /n/<network>/networks/."""

from django.urls import path

from bridgework.ona.views import results, roles, waves

app_name = "networks"
urlpatterns = [
    path("", waves.home, name="home"),
    path("new/", waves.create, name="nwaves_new"),
    path("waves/<int:pk>/", waves.show, name="nwaves_show"),
    path("waves/<int:pk>/edit/", waves.edit, name="nwaves_edit"),
    path("waves/<int:pk>/invite/", waves.invite, name="nwaves_invite"),
    path("waves/<int:pk>/remind/", waves.remind, name="nwaves_remind"),
    path("waves/<int:pk>/close/", waves.close, name="nwaves_close"),
    path("waves/<int:pk>/import/", waves.upload, name="nwaves_import"),
    path("waves/<int:pk>/map/", results.organisation_map, name="nwaves_map"),
    path("waves/<int:pk>/map.pdf", results.organisation_report, name="nwaves_map_pdf"),
    path("waves/<int:pk>/people/", results.named_map, name="nwaves_people"),
    path("imports/<int:pk>/", waves.import_show, name="nimports_show"),
    path("roles/", roles.overview, name="roles"),
]
