"""The roles self-assessment by personal link (public: the token is the key; rate-limited per
client address)."""

from django.urls import path

from bridgework.ona.views import roles
from bridgework.web.ratelimit import rate_limit

app_name = "roles_respond"
urlpatterns = [path("<str:token>/", rate_limit("personal-link")(roles.respond), name="start")]
