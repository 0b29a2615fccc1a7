"""The signed-in entry point: go to the network used last, or choose one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bridgework.directory.selectors import networks_for_user
from bridgework.web.tenancy import ACTIVE_NETWORK_SESSION_KEY


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(networks_for_user(request.user))
    slugs = {m.network.slug for m in memberships}
    last = request.session.get(ACTIVE_NETWORK_SESSION_KEY)
    if last in slugs:
        return redirect("directory:home", network=last)
    if len(memberships) == 1:
        return redirect("directory:home", network=memberships[0].network.slug)
    return render(
        request, "web/networks.html", {"memberships": memberships, "page_title": _("Your networks")}
    )


@login_required
def switch_network(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("network", "")
    if not networks_for_user(request.user).filter(network__slug=slug).exists():
        raise Http404(_("No such network"))
    return redirect("directory:home", network=slug)
