"""Network survey respondents' pages, reached by personal link (public: the token is the key)."""

from django.urls import path

from bridgework.networks.views import respond

app_name = "network_respond"
urlpatterns = [
    path("<str:token>/", respond.start, name="start"),
    path("<str:token>/search/", respond.search, name="search"),
    path("<str:token>/colleague/<int:person>/", respond.colleague, name="colleague"),
    path("<str:token>/outside/", respond.outside, name="outside"),
    path("<str:token>/done/", respond.done, name="done"),
]
