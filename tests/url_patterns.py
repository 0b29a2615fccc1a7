"""The project's URL patterns, walked, and how to fill them with a network's records."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

#: Patterns deliberately reachable without a network.
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:accept_invitation",
    "accounts:sso_start",
    "accounts:sso_callback",
    "web:home",
    "web:health",
    "web:switch_network",
    "respond:start",
    "respond:step",
    "respond:done",
    "network_respond:start",
    "network_respond:search",
    "network_respond:colleague",
    "network_respond:outside",
    "network_respond:done",
    "roles_respond:start",
    "coffee:join",
    "coffee:join_sent",
    "coffee:privacy",
    "coffee:confirm",
    "coffee:me",
    "coffee:preferences",
    "coffee:pause",
    "coffee:resume",
    "coffee:leave",
    "coffee:feedback",
    # SCIM: a bearer token (not a login) decides the network; tests/web/test_scim.py proves
    # one network's token never reaches another's records.
    "scim:users",
    "scim:users_search",
    "scim:search",
    "scim:groups_search",
    "scim:user",
    "scim:groups",
    "scim:group",
    "scim:service_provider_config",
    "scim:resource_types",
    "scim:resource_type",
    "scim:schemas",
    "scim:schema",
    "scim:unknown",
    # The JSON API: its bearer token (not a login) decides the network; tests/web/test_api.py
    # proves a token never reaches another network's records.
    "api-v1:api-root",
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    "api-v1:network",
    "api-v1:organisations",
    "api-v1:teams",
    "api-v1:workgroups",
    "api-v1:people",
    "api-v1:person",
    "api-v1:rc_waves",
    "api-v1:rc_wave",
    "api-v1:rc_results",
    "api-v1:network_survey_waves",
    "api-v1:network_survey_summary",
    "api-v1:programmes",
    "api-v1:programme",
    "api-v1:programme_dashboard",
}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback


ALL_PATTERNS = list(walk(get_resolver()))


def fill(route: str, slug: str, name: str, ids: dict[str, int]) -> str:
    kind = next((k for k in ids if name.split(":")[1].startswith(k)), None)
    if name.startswith("mail:"):
        kind = "outbox"
    url = "/" + route.replace("<slug:network>", slug)
    if "<int:pk>" in url:
        assert kind is not None, f"no record kind known for {name}"
        url = url.replace("<int:pk>", str(ids[kind]))
    assert "<" not in url, f"unfilled parameter in {url}"
    return url
