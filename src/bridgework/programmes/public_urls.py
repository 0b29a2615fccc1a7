"""Participants' pages, reached by the programme's sign-up link or a personal link. Every page
is rate-limited per client address, so codes and links cannot be guessed at speed."""

from django.urls import path

from bridgework.programmes.views import participant
from bridgework.web.ratelimit import rate_limit

limited = rate_limit("personal-link")

app_name = "coffee"
urlpatterns = [
    path("join/<str:code>/", limited(participant.join), name="join"),
    path("join/<str:code>/sent/", limited(participant.join_sent), name="join_sent"),
    path("join/<str:code>/privacy/", limited(participant.privacy), name="privacy"),
    path("confirm/<str:token>/", limited(participant.confirm), name="confirm"),
    path("me/<str:token>/", limited(participant.me), name="me"),
    path("me/<str:token>/preferences/", limited(participant.preferences), name="preferences"),
    path("me/<str:token>/pause/", limited(participant.pause), name="pause"),
    path("me/<str:token>/resume/", limited(participant.resume), name="resume"),
    path("me/<str:token>/leave/", limited(participant.leave), name="leave"),
    path("me/<str:token>/feedback/<int:match>/", limited(participant.feedback), name="feedback"),
]
