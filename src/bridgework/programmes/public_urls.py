"""Participants' pages, reached by the programme's sign-up link or a personal link."""

from django.urls import path

from bridgework.programmes.views import participant

app_name = "coffee"
urlpatterns = [
    path("join/<str:code>/", participant.join, name="join"),
    path("join/<str:code>/sent/", participant.join_sent, name="join_sent"),
    path("join/<str:code>/privacy/", participant.privacy, name="privacy"),
    path("confirm/<str:token>/", participant.confirm, name="confirm"),
    path("me/<str:token>/", participant.me, name="me"),
    path("me/<str:token>/preferences/", participant.preferences, name="preferences"),
    path("me/<str:token>/pause/", participant.pause, name="pause"),
    path("me/<str:token>/resume/", participant.resume, name="resume"),
    path("me/<str:token>/leave/", participant.leave, name="leave"),
    path("me/<str:token>/feedback/<int:match>/", participant.feedback, name="feedback"),
]
