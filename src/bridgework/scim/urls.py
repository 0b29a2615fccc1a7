"""SCIM 2.0 endpoints, under /scim/v2/. The bearer token decides the network."""

from django.urls import path, re_path

from bridgework.scim import views

app_name = "scim"
urlpatterns = [
    path("Users", views.users, name="users"),
    path("Users/.search", views.users_search, name="users_search"),
    path("Users/<str:resource_id>", views.user, name="user"),
    path("Groups", views.groups, name="groups"),
    path("Groups/.search", views.groups_search, name="groups_search"),
    path("Groups/<str:resource_id>", views.group, name="group"),
    path(".search", views.root_search, name="search"),
    path("ServiceProviderConfig", views.service_provider, name="service_provider_config"),
    path("ResourceTypes", views.resource_type_list, name="resource_types"),
    path("ResourceTypes/<str:resource_id>", views.resource_type, name="resource_type"),
    path("Schemas", views.schema_list, name="schemas"),
    path("Schemas/<str:resource_id>", views.schema, name="schema"),
    # Anything else under /scim/v2/ is a SCIM 404, not an HTML page.
    re_path(r"^.*$", views.unknown, name="unknown"),
]
