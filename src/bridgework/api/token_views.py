"""The owner's page for API tokens: create one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bridgework.api import selectors
from bridgework.api.forms import ApiTokenForm
from bridgework.api.models import ApiToken
from bridgework.api.services import api_token_create, api_token_revoke
from bridgework.directory.models import Role
from bridgework.web.tenancy import network_view


@network_view(Role.OWNER)
def index(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = api_token_create(
                network=request.network,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "api/tokens/index.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_for(request.network),
            "new_token": new_token,
            "endpoint": request.build_absolute_uri(reverse("api-v1:openapi-json")).removesuffix(
                "openapi.json"
            ),
            "page_title": "API tokens",
        },
    )
    if new_token:  # the token is on this page once: never keep it in a cache
        response["Cache-Control"] = "no-store"
    return response


@network_view(Role.OWNER)
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    try:
        token = selectors.api_token_for(request.network, int(request.POST.get("token", "")))
    except (ValueError, ApiToken.DoesNotExist) as exc:
        raise Http404("No such token in this network") from exc
    api_token_revoke(token=token, revoked_by=request.user, request=request)
    messages.success(request, f"The token “{token.name}” was revoked: it no longer works.")
    return redirect("api_tokens:index", network=request.network.slug)
