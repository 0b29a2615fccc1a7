"""The network's API tokens, under /n/<network>/settings/api/."""

from django.urls import path

from bridgework.api import token_views

app_name = "api_tokens"
urlpatterns = [
    path("", token_views.index, name="index"),
    path("revoke/", token_views.revoke, name="token_revoke"),
]
