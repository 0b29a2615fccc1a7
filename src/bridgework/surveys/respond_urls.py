"""Respondents' pages, reached by personal link (public: the token is the key). Every page is
rate-limited per client address, so links cannot be guessed at speed."""

from django.urls import path

from bridgework.surveys.views import respond
from bridgework.web.ratelimit import rate_limit

limited = rate_limit("personal-link")

app_name = "respond"
urlpatterns = [
    path("<str:token>/", limited(respond.start), name="start"),
    path("<str:token>/done/", limited(respond.done), name="done"),
    path("<str:token>/<int:step>/", limited(respond.step), name="step"),
]
