"""The network's sign-in settings, under /n/<network>/sign-in/."""

from django.urls import path

from bridgework.accounts import network_views

app_name = "sign_in"
urlpatterns = [
    path("", network_views.settings_page, name="settings"),
]
