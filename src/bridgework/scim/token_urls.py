"""The network's directory sync tokens, under /n/<network>/sync/."""

from django.urls import path

from bridgework.scim import token_views

app_name = "scim_tokens"
urlpatterns = [
    path("", token_views.index, name="index"),
    path("revoke/", token_views.revoke, name="token_revoke"),
]
