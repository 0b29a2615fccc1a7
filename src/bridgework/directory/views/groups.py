"""Organisations, teams and workgroups: list, create, edit (one generic set of views)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.directory import selectors, services
from bridgework.directory.forms import OrganisationForm, TeamForm, WorkgroupForm
from bridgework.directory.models import Role
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view


@dataclass(frozen=True)
class Column:
    """One column of a group list: header, attribute of the row, and whether it is a number."""

    header: Any
    attribute: str
    numeric: bool = False


@dataclass(frozen=True)
class GroupKind:
    """One kind of group: ``plural`` names its routes; ``title`` and ``add_title`` are the
    list page's heading and its button (and the new-group page's heading)."""

    plural: str
    title: Any
    add_title: Any
    form: type[ModelForm]
    list_for: Callable[[Any], QuerySet]
    one_for: Callable[[Any, int], Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    instance_arg: str
    columns: tuple[Column, ...]
    scoped_form: bool = False


KINDS = {
    "organisations": GroupKind(
        "organisations",
        gettext_lazy("Organisations"),
        gettext_lazy("Add organisation"),
        OrganisationForm,
        selectors.organisations_for,
        selectors.organisation_for,
        services.organisation_create,
        services.organisation_update,
        "organisation",
        (
            Column(gettext_lazy("Kind"), "kind"),
            Column(gettext_lazy("Teams"), "team_count", numeric=True),
        ),
    ),
    "teams": GroupKind(
        "teams",
        gettext_lazy("Teams"),
        gettext_lazy("Add team"),
        TeamForm,
        selectors.teams_for,
        selectors.team_for,
        services.team_create,
        services.team_update,
        "team",
        (Column(gettext_lazy("Organisation"), "organisation.name"),),
        scoped_form=True,
    ),
    "workgroups": GroupKind(
        "workgroups",
        gettext_lazy("Workgroups"),
        gettext_lazy("Add workgroup"),
        WorkgroupForm,
        selectors.workgroups_for,
        selectors.workgroup_for,
        services.workgroup_create,
        services.workgroup_update,
        "workgroup",
        (Column(gettext_lazy("Description"), "description"),),
    ),
}


def _form(kind: GroupKind, request: HttpRequest, instance: Any = None) -> ModelForm:
    extra = {"network": request.network} if kind.scoped_form else {}
    return kind.form(request.POST or None, instance=instance, **extra)


def list_view(kind_name: str) -> Callable[..., HttpResponse]:
    kind = KINDS[kind_name]

    @network_view()
    def view(request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "directory/groups/index.html",
            {
                "objects": page_of(request, kind.list_for(request.network)),
                "kind": kind,
                "page_title": kind.title,
            },
        )

    return view


def edit_view(kind_name: str, *, creating: bool) -> Callable[..., HttpResponse]:
    kind = KINDS[kind_name]

    @network_view(Role.COORDINATOR)
    def view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance = None if creating else kind.one_for(request.network, pk)
        form = _form(kind, request, instance)
        if request.method == "POST" and form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                if creating:
                    kind.create(network=request.network, **data)
                else:
                    kind.update(**{kind.instance_arg: instance}, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved %(name)s.") % {"name": data["name"]})
                return redirect(f"directory:{kind.plural}", network=request.network.slug)
        title = kind.add_title if creating else _("Edit %(name)s") % {"name": instance.name}
        return render(
            request, "components/form_page.html", {"form": form, "kind": kind, "page_title": title}
        )

    return view
