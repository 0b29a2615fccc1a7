"""Work processes: the list (the Surveys home), create, show with its waves, edit, new wave."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bridgework.directory.models import Role
from bridgework.surveys import selectors, services
from bridgework.surveys.forms import WaveForm, WorkProcessForm
from bridgework.waves.views import min_group_size_audit
from bridgework.web.tenancy import network_view


@network_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/processes/index.html",
        {
            "processes": selectors.work_processes_for(request.network),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": _("Surveys"),
        },
    )


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.work_process_for(request.network, pk)
    return render(
        request,
        "surveys/processes/show.html",
        {
            "process": process,
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": process.name,
        },
    )


def _save(request: HttpRequest, process=None) -> HttpResponse:
    initial = WorkProcessForm.initial_for(process) if process else None
    form = WorkProcessForm(request.POST or None, initial=initial, network=request.network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "description": data["description"],
            "workgroups": data["workgroups"],
            "external_targets": form.external_target_names(),
        }
        try:
            if process is None:
                process = services.work_process_create(network=request.network, **fields)
            else:
                process = services.work_process_update(process=process, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": process.name})
            return redirect("surveys:processes_show", network=request.network.slug, pk=process.pk)
    title = (
        _("New work process") if process is None else _("Edit %(name)s") % {"name": process.name}
    )
    return render(
        request, "surveys/form.html", {"form": form, "page_title": title, "process": process}
    )


@network_view(Role.COORDINATOR)
def create(request: HttpRequest) -> HttpResponse:
    return _save(request)


@network_view(Role.COORDINATOR)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, selectors.work_process_for(request.network, pk))


@network_view(Role.COORDINATOR)
def wave_new(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.work_process_for(request.network, pk)
    form = WaveForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(process=process, **form.wave_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            min_group_size_audit(request, wave, before=None)
            messages.success(request, _("Created the wave %(name)s.") % {"name": wave.name})
            return redirect("surveys:waves_show", network=request.network.slug, pk=wave.pk)
    return render(
        request,
        "surveys/form.html",
        {
            "form": form,
            "page_title": _("New wave of %(name)s") % {"name": process.name},
            "process": process,
        },
    )
