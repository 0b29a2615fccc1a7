"""The owner's page for directory sync: create a bearer token (shown once), revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bridgework.directory.models import Role
from bridgework.scim import selectors
from bridgework.scim.models import ScimToken
from bridgework.scim.services import scim_token_create, scim_token_revoke
from bridgework.web.forms import Form
from bridgework.web.tenancy import network_view


class TokenForm(Form):
    name = forms.CharField(
        label="What the token is for",
        max_length=100,
        help_text="For example: Entra ID provisioning. Shown in this list only.",
    )


@network_view(Role.OWNER)
def index(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        _token, new_token = scim_token_create(
            network=request.network,
            name=form.cleaned_data["name"],
            created_by=request.user,
            request=request,
        )
        form = TokenForm()
    response = render(
        request,
        "scim/tokens/index.html",
        {
            "form": form,
            "tokens": selectors.scim_tokens_for(request.network),
            "new_token": new_token,
            "endpoint": request.build_absolute_uri(reverse("scim:users")).removesuffix("Users"),
            "page_title": "Directory sync (SCIM)",
        },
    )
    if new_token:  # the token is on this page once: never keep it in a cache
        response["Cache-Control"] = "no-store"
    return response


@network_view(Role.OWNER)
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    try:
        token = selectors.scim_token_for(request.network, int(request.POST.get("token", "")))
    except (ValueError, ScimToken.DoesNotExist) as exc:
        raise Http404("No such token in this network") from exc
    scim_token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, f"The token “{token.name}” was revoked: it no longer works.")
    return redirect("scim_tokens:index", network=request.network.slug)
