from django.urls import path

from bridgework.accounts import sso_views, views
from bridgework.web.ratelimit import rate_limit

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("sso/start/", sso_views.SignOnStartView.as_view(), name="sso_start"),
    path("sso/callback/", sso_views.SignOnCallbackView.as_view(), name="sso_callback"),
    path(
        "invitation/<str:token>/",
        rate_limit("personal-link")(views.accept_invitation),
        name="accept_invitation",
    ),
]
