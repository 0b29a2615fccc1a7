"""Top-level URLs. Every network-scoped page lives under ``/n/<network>/``."""

from django.urls import include, path

from bridgework.api.api import api

urlpatterns = [
    path("accounts/", include("bridgework.accounts.urls")),
    path("n/<slug:network>/", include("bridgework.directory.urls")),
    path("n/<slug:network>/", include("bridgework.governance.urls")),
    path("n/<slug:network>/audit/", include("bridgework.audit.urls")),
    path("n/<slug:network>/sign-in/", include("bridgework.accounts.network_urls")),
    path("n/<slug:network>/sync/", include("bridgework.scim.token_urls")),
    path("scim/v2/", include("bridgework.scim.urls")),
    path("n/<slug:network>/settings/api/", include("bridgework.api.token_urls")),
    path("api/v1/", api.urls),
    path("n/<slug:network>/outbox/", include("bridgework.mail.urls")),
    path("n/<slug:network>/surveys/", include("bridgework.surveys.urls")),
    path("s/", include("bridgework.surveys.respond_urls")),
    path("n/<slug:network>/coffee/", include("bridgework.programmes.urls")),
    path("c/", include("bridgework.programmes.public_urls")),
    path("n/<slug:network>/networks/", include("bridgework.ona.urls")),
    path("n/<slug:network>/jobs/", include("bridgework.jobs.urls")),
    path("m/", include("bridgework.ona.respond_urls")),
    path("r/", include("bridgework.ona.roles_urls")),
    path("", include("bridgework.web.urls")),
]

handler400 = "bridgework.web.views.errors.bad_request"
handler403 = "bridgework.web.views.errors.permission_denied"
handler404 = "bridgework.web.views.errors.page_not_found"
handler500 = "bridgework.web.views.errors.server_error"
