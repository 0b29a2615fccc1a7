from django.urls import path

from bridgework.accounts import views
from bridgework.web.ratelimit import rate_limit

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path(
        "invitation/<str:token>/",
        rate_limit("personal-link")(views.accept_invitation),
        name="accept_invitation",
    ),
]
