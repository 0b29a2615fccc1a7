"""The owner's page for API tokens: create one (shown once), revoke one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.api import selectors
from bridgework.api.forms import ApiTokenForm
from bridgework.api.services import api_token_create, api_token_revoke
from bridgework.directory.models import Role
from bridgework.web.tenancy import network_view
from bridgework.web.views.tokens import token_index, token_revoke


@network_view(Role.OWNER)
def index(request: HttpRequest) -> HttpResponse:
    def create(data: Mapping[str, Any]) -> str:
        _token, plain = api_token_create(
            network=request.network,
            name=data["name"],
            scopes=data["scopes"],
            created_by=request.user,
            request=request,
        )
        return plain

    endpoint = request.build_absolute_uri(reverse("api-v1:openapi-json"))
    return token_index(
        request,
        form_class=ApiTokenForm,
        create=create,
        tokens=selectors.api_tokens_for(request.network),
        template="api/tokens/index.html",
        revoke_url_name="api_tokens:token_revoke",
        context={"endpoint": endpoint.removesuffix("openapi.json"), "page_title": _("API tokens")},
    )


@network_view(Role.OWNER)
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    return token_revoke(
        request,
        lookup=lambda pk: selectors.api_token_for(request.network, pk),
        revoke=lambda token: api_token_revoke(
            token=token, revoked_by=request.user, request=request
        ),
        index_url_name="api_tokens:index",
    )
