"""The outbox: every email sent on the network's behalf."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bridgework.directory.models import Role
from bridgework.mail.backends import outbox_is_delivery
from bridgework.mail.selectors import outbox_for, outbox_message_for
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view


@network_view(Role.COORDINATOR)
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = page_of(request, outbox_for(request.network, query=query), size=50)
    return render(
        request,
        "mail/index.html",
        {
            "page_obj": page,
            "query": query,
            "page_title": _("Outbox"),
            "outbox_only": outbox_is_delivery(),
        },
    )


@network_view(Role.COORDINATOR)
def show(request: HttpRequest, pk: int) -> HttpResponse:
    message = outbox_message_for(request.network, pk)
    return render(
        request,
        "mail/show.html",
        {"message": message, "page_title": message.subject, "outbox_only": outbox_is_delivery()},
    )
