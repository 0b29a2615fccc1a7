"""The roles self-assessment by personal link (public: the token is the key)."""

from django.urls import path

from bridgework.networks.views import roles

app_name = "roles_respond"
urlpatterns = [path("<str:token>/", roles.respond, name="start")]
