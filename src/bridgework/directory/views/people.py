"""People: list with search and filters, create, edit, deactivate, export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.directory import selectors, services
from bridgework.directory.forms import PeopleSearchForm, PersonForm
from bridgework.directory.models import Person, Role
from bridgework.jobs.views import export_or_enqueue
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view

PAGE_SIZE = 50


def _people_filter(form: PeopleSearchForm) -> selectors.PeopleFilter:
    if not form.is_valid():
        return selectors.PeopleFilter()
    data = form.cleaned_data
    return selectors.PeopleFilter(
        query=data["q"].strip(),
        organisation_id=data["organisation"].pk if data["organisation"] else None,
        team_id=data["team"].pk if data["team"] else None,
        workgroup_id=data["workgroup"].pk if data["workgroup"] else None,
        status=data["status"] or "active",
    )


@network_view()
def index(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET or None, network=request.network)
    people = selectors.people_for(request.network, _people_filter(form))
    page = page_of(request, people, size=PAGE_SIZE)
    return render(
        request,
        "directory/people/index.html",
        {
            "form": form,
            "page_obj": page,
            "page_title": _("People"),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
        },
    )


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(request.network, pk)
    return render(
        request,
        "directory/people/show.html",
        {
            "person": person,
            "page_title": person.name,
            "can_edit": request.membership.has_role(Role.COORDINATOR),
        },
    )


def _save(request: HttpRequest, person: Person | None) -> HttpResponse:
    form = PersonForm(request.POST or None, instance=person, network=request.network)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if person is None:
                person = services.person_create(network=request.network, **data)
            else:
                person = services.person_update(person=person, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": person.name})
            return redirect("directory:people_show", network=request.network.slug, pk=person.pk)
    title = _("Add a person") if person is None else _("Edit %(name)s") % {"name": person.name}
    return render(
        request, "components/form_page.html", {"form": form, "page_title": title, "person": person}
    )


@network_view(Role.COORDINATOR)
def create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@network_view(Role.COORDINATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, selectors.person_for(request.network, pk))


@network_view(Role.COORDINATOR)
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(request.network, pk)
    active = request.POST.get("active") == "1"
    services.person_set_active(person=person, active=active)
    messages.success(
        request,
        (_("%(name)s is active again.") if active else _("%(name)s is deactivated."))
        % {"name": person.name},
    )
    return redirect("directory:people_show", network=request.network.slug, pk=person.pk)


@network_view()
def export_csv(request: HttpRequest) -> HttpResponse:
    return export_or_enqueue(request, kind="people-csv", params={"format": "csv"})


@network_view()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return export_or_enqueue(request, kind="people-xlsx", params={"format": "xlsx"})
