"""Respondents' pages, reached by personal link (public: the token is the key)."""

from django.urls import path

from bridgework.surveys.views import respond

app_name = "respond"
urlpatterns = [
    path("<str:token>/", respond.start, name="start"),
    path("<str:token>/done/", respond.done, name="done"),
    path("<str:token>/<int:step>/", respond.step, name="step"),
]
