"""Navigation shown on every page: the login's networks and the network's menu."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV_ITEMS = [
    ("directory:home", _("Overview")),
    ("directory:people", _("People")),
    ("directory:organisations", _("Organisations")),
    ("directory:teams", _("Teams")),
    ("directory:workgroups", _("Workgroups")),
    ("surveys:home", _("Surveys")),
    ("programmes:home", _("Coffee")),
    ("networks:home", _("Network map")),
    ("mail:outbox", _("Outbox")),
]


def languages(request: HttpRequest) -> dict[str, object]:
    """The language switcher's links, on the pages that offer one (personal-link pages mark
    the request with ``language_switch``; see ``web.personal_links.personal_language``)."""
    if not getattr(request, "language_switch", False):
        return {}
    from bridgework.web.personal_links import language_links

    return {"language_links": language_links(request)}


def navigation(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from bridgework.directory.selectors import networks_for_user

    context: dict[str, object] = {"nav_memberships": list(networks_for_user(request.user))}
    network = getattr(request, "network", None)
    if network is not None:
        current = request.resolver_match.view_name if request.resolver_match else ""
        items = []
        for name, label in NAV_ITEMS:
            url = reverse(name, kwargs={"network": network.slug})
            active = current == name or current.startswith(f"{name}_")
            if name in ("surveys:home", "networks:home", "programmes:home"):
                active = current.startswith(name.split(":")[0] + ":")
            items.append({"url": url, "label": label, "active": active})
        if request.membership.has_role("owner"):
            url = reverse("directory:members", kwargs={"network": network.slug})
            items.append(
                {
                    "url": url,
                    "label": _("Members"),
                    "active": current.startswith("directory:members"),
                }
            )
            url = reverse("directory:settings", kwargs={"network": network.slug})
            items.append(
                {"url": url, "label": _("Settings"), "active": current == "directory:settings"}
            )
            url = reverse("audit:index", kwargs={"network": network.slug})
            items.append(
                {"url": url, "label": _("Audit log"), "active": current.startswith("audit:")}
            )
            url = reverse("sign_in:settings", kwargs={"network": network.slug})
            active = current.startswith(("sign_in:", "scim_tokens:"))
            items.append({"url": url, "label": _("Sign-in and sync"), "active": active})
        context["nav_items"] = items
    return context
