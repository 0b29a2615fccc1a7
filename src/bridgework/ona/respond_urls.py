"""Network survey respondents' pages, reached by personal link (public: the token is the key).
Every page is rate-limited per client address; the colleague search has a stricter limit of
its own (see the view)."""

from django.urls import path

from bridgework.ona.views import respond
from bridgework.web.ratelimit import rate_limit

limited = rate_limit("personal-link")

app_name = "network_respond"
urlpatterns = [
    path("<str:token>/", limited(respond.start), name="start"),
    path("<str:token>/search/", limited(respond.search), name="search"),
    path("<str:token>/colleague/<str:ref>/", limited(respond.colleague), name="colleague"),
    path("<str:token>/outside/", limited(respond.outside), name="outside"),
    path("<str:token>/done/", limited(respond.done), name="done"),
]
