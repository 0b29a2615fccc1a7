"""The owner's page for directory sync: create a bearer token (shown once), revoke one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bridgework.directory.models import Role
from bridgework.scim import selectors
from bridgework.scim.services import scim_token_create, scim_token_revoke
from bridgework.web.forms import Form
from bridgework.web.tenancy import network_view
from bridgework.web.views.tokens import token_index, token_revoke


class TokenForm(Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: Entra ID provisioning. Shown in this list only."),
    )


@network_view(Role.OWNER)
def index(request: HttpRequest) -> HttpResponse:
    def create(data: Mapping[str, Any]) -> str:
        _token, plain = scim_token_create(
            network=request.network, name=data["name"], created_by=request.user, request=request
        )
        return plain

    endpoint = request.build_absolute_uri(reverse("scim:users"))
    return token_index(
        request,
        form_class=TokenForm,
        create=create,
        tokens=selectors.scim_tokens_for(request.network),
        template="scim/tokens/index.html",
        revoke_url_name="scim_tokens:token_revoke",
        context={
            "endpoint": endpoint.removesuffix("Users"),
            "page_title": _("Directory sync (SCIM)"),
        },
    )


@network_view(Role.OWNER)
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    return token_revoke(
        request,
        lookup=lambda pk: selectors.scim_token_for(request.network, pk),
        revoke=lambda token: scim_token_revoke(token=token, actor=request.user, request=request),
        index_url_name="scim_tokens:index",
    )
