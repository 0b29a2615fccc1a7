"""Conversation guides: the built-in ones (editable) and the coordinators' own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bridgework.directory.models import Role
from bridgework.programmes import selectors, services
from bridgework.programmes.forms import GuideForm
from bridgework.web.tenancy import network_view


@network_view()
def index(request: HttpRequest) -> HttpResponse:
    services.guides_ensure_builtin(network=request.network)
    return render(
        request,
        "programmes/guides/index.html",
        {
            "guides": selectors.guides_for(request.network),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": _("Conversation guides"),
        },
    )


def _save(request: HttpRequest, guide=None) -> HttpResponse:
    form = GuideForm(request.POST if request.method == "POST" else None, instance=guide)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "summary", "body")}
        try:
            if guide is None:
                services.guide_create(network=request.network, **data)
            else:
                services.guide_update(guide=guide, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved the guide %(title)s.") % {"title": data["title"]})
            return redirect("programmes:guides", network=request.network.slug)
    title = (
        _("New conversation guide") if guide is None else _("Edit %(name)s") % {"name": guide.title}
    )
    return render(request, "programmes/form.html", {"form": form, "page_title": title})


@network_view(Role.COORDINATOR)
def create(request: HttpRequest) -> HttpResponse:
    return _save(request)


@network_view(Role.COORDINATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, selectors.guide_for(request.network, pk))
