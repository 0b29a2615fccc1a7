"""Tenancy: every network-scoped view resolves its network from the URL and the login's
membership, or answers 404. A login that is not a member cannot tell whether a network exists.

Views declare the least role they need; an analyst reaching a coordinator's form gets a
friendly 403 page. ``tests/web/test_tenancy.py`` walks every URL pattern to prove each one is
wrapped by :func:`network_view` or explicitly listed as public.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from bridgework.directory.models import Membership, Role
from bridgework.web.middleware import activate_network_time

View = Callable[..., HttpResponse]

#: Session key remembering the network a login used last, for the home page redirect.
ACTIVE_NETWORK_SESSION_KEY = "active_network"


def membership_for(request: HttpRequest, slug: str) -> Membership:
    """The signed-in login's membership of the network ``slug``, or 404."""
    try:
        return Membership.objects.select_related("network").get(
            user=request.user, network__slug=slug
        )
    except Membership.DoesNotExist as exc:
        raise Http404(_("No such network")) from exc


def network_view(minimum_role: str = Role.ANALYST) -> Callable[[View], View]:
    """Wrap a view taking ``network`` from the URL: sign-in, membership, role, 404 on misses.

    The wrapped view receives ``request.network`` and ``request.membership``, and runs in the
    network's time zone. Any
    ``ObjectDoesNotExist`` raised by a selector (a record of another network) becomes a 404.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, network: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request, network)
            if not membership.has_role(minimum_role):
                raise PermissionDenied(
                    _("This needs the %(role)s role.") % {"role": Role(minimum_role).label}
                )
            request.network = membership.network  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            request.session[ACTIVE_NETWORK_SESSION_KEY] = membership.network.slug
            activate_network_time(membership.network)
            try:
                return view(request, *args, **kwargs)
            except ObjectDoesNotExist as exc:
                raise Http404(_("Not found in this network")) from exc

        wrapper.network_scoped = True  # type: ignore[attr-defined]
        wrapper.minimum_role = minimum_role  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public_view(view: View) -> View:
    """Mark a view as deliberately reachable without a network (sign-in, error pages...)."""
    view.public = True  # type: ignore[attr-defined]
    return view
