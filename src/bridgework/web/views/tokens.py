"""An owner's page of a network's bearer tokens (API, directory sync): list them, create one
(its plain value shown this once, never cached), revoke one.

Each app keeps its own form, services, selectors and template and calls these two helpers
from its owner-only views; the page itself extends ``web/tokens.html``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

__all__ = ["token_index", "token_revoke"]


def token_index(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    create: Callable[[Mapping[str, Any]], str],
    tokens: QuerySet[Any],
    template: str,
    revoke_url_name: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """The list of ``tokens`` and the form to create one.

    ``create`` gets the form's cleaned data and returns the new token's plain value; a
    ``ValidationError`` it raises goes back onto the form. ``context`` adds the page's own
    values (title, endpoint). ``revoke_url_name`` names the revoke view of the app."""
    form = form_class(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            new_token = create(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = form_class()
    response = render(
        request,
        template,
        {
            **context,
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
            "revoke_url": reverse(revoke_url_name, kwargs={"network": request.network.slug}),
        },
    )
    if new_token:  # the token is on this page once: never keep it in a cache
        response["Cache-Control"] = "no-store"
    return response


def token_revoke(
    request: HttpRequest,
    *,
    lookup: Callable[[int], Any],
    revoke: Callable[[Any], object],
    index_url_name: str,
) -> HttpResponse:
    """Revoke the token the form names (``lookup`` finds it among the network's own by its
    id), then back to the list with a message. Another network's or no token is a 404."""
    try:
        token = lookup(int(request.POST.get("token", "")))
    except (ValueError, ObjectDoesNotExist) as exc:
        raise Http404(_("No such token in this network")) from exc
    revoke(token)
    messages.success(
        request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name}
    )
    return redirect(index_url_name, network=request.network.slug)
