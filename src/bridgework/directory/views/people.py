"""People: list with search and filters, create, edit, deactivate, export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.datasets.people import PersonRecord, write_people
from bridgework.directory import selectors, services
from bridgework.directory.forms import PeopleSearchForm, PersonForm
from bridgework.directory.models import Person, Role
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
            "page_title": "People",
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
            messages.success(request, f"Saved {person.name}.")
            return redirect("directory:people_show", network=request.network.slug, pk=person.pk)
    title = "Add a person" if person is None else f"Edit {person.name}"
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
    messages.success(request, f"{person.name} is {'active again' if active else 'deactivated'}.")
    return redirect("directory:people_show", network=request.network.slug, pk=person.pk)


def _record(person: Person) -> PersonRecord:
    return PersonRecord(
        row=0,
        name=person.name,
        email=person.email,
        organisation=person.organisation.name if person.organisation else "",
        team=person.team.name if person.team else "",
        workgroup=person.workgroup.name if person.workgroup else "",
        job_title=person.job_title,
        location=person.location,
        time_zone=person.time_zone,
        language=person.language,
        manager_email=person.manager.email if person.manager else "",
        active=person.active,
    )


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    people = selectors.people_for(request.network, selectors.PeopleFilter(status="all"))
    content = write_people((_record(p) for p in people), format=fmt)  # type: ignore[arg-type]
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    audit_record(
        network=request.network,
        action=Action.EXPORT_DOWNLOADED,
        details={"export": f"people {fmt.upper()}", "rows": people.count()},
        request=request,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{request.network.slug}-people.{fmt}"'
    return response


@network_view()
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@network_view()
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
