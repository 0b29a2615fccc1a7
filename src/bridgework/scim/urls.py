"""SCIM 2.0 endpoints, under /scim/v2/. The bearer token decides the network."""

from django.urls import path, re_path

from bridgework.scim.views import discovery, groups, users

app_name = "scim"
urlpatterns = [
    path("Users", users.users, name="users"),
    path("Users/.search", users.users_search, name="users_search"),
    path("Users/<str:resource_id>", users.user, name="user"),
    path("Groups", groups.groups, name="groups"),
    path("Groups/.search", groups.groups_search, name="groups_search"),
    path("Groups/<str:resource_id>", groups.group, name="group"),
    path(".search", discovery.root_search, name="search"),
    path("ServiceProviderConfig", discovery.service_provider, name="service_provider_config"),
    path("ResourceTypes", discovery.resource_type_list, name="resource_types"),
    path("ResourceTypes/<str:resource_id>", discovery.resource_type, name="resource_type"),
    path("Schemas", discovery.schema_list, name="schemas"),
    path("Schemas/<str:resource_id>", discovery.schema, name="schema"),
    # Anything else under /scim/v2/ is a SCIM 404, not an HTML page.
    re_path(r"^.*$", discovery.unknown, name="unknown"),
]
