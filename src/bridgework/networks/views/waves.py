"""Coordinators' pages for network waves: list, create, show, invite, close, import."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bridgework.datasets.tabular import DatasetError
from bridgework.directory.models import Role
from bridgework.networks import selectors, services
from bridgework.networks.forms import NetworkWaveForm, NominationsUploadForm
from bridgework.networks.imports import parse_nominations
from bridgework.web.tenancy import network_view

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@network_view()
def home(request: HttpRequest) -> HttpResponse:
    waves = selectors.network_waves_for(request.network)
    return render(
        request,
        "networks/waves/index.html",
        {
            "waves": waves,
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": "Network mapping",
        },
    )


@network_view(Role.COORDINATOR)
def create(request: HttpRequest) -> HttpResponse:
    form = NetworkWaveForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wave = services.network_wave_create(network=request.network, **data)
        except services.ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
    return render(
        request, "components/form_page.html", {"form": form, "page_title": "New network survey"}
    )


@network_view()
def show(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    invitations = wave.invitations.all()
    return render(
        request,
        "networks/waves/show.html",
        {
            "wave": wave,
            "invited": invitations.count(),
            "completed": invitations.filter(completed_at__isnull=False).count(),
            "nominations": wave.nominations.count(),
            "can_edit": request.membership.has_role(Role.COORDINATOR),
            "page_title": wave.name,
        },
    )


def _confirm(request, wave, *, action: str, title: str, text: str) -> HttpResponse:
    return render(
        request,
        "networks/waves/confirm.html",
        {"wave": wave, "action": action, "page_title": title, "text": text},
    )


@network_view(Role.COORDINATOR)
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    if request.method == "POST":
        try:
            count = services.network_invitations_create(wave=wave)
        except services.SurveyClosedError:
            messages.error(request, "This survey has closed.")
        else:
            messages.success(request, f"{count} invitation{'s' if count != 1 else ''} sent.")
        return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
    return _confirm(
        request,
        wave,
        action="Send invitations",
        title="Send invitations",
        text="Everyone in scope who has not been invited gets a personal link by email.",
    )


@network_view(Role.COORDINATOR)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    if request.method == "POST":
        services.network_wave_close(wave=wave)
        messages.success(request, "The survey is closed.")
        return redirect("networks:nwaves_show", network=request.network.slug, pk=wave.pk)
    return _confirm(
        request,
        wave,
        action="Close now",
        title="Close the survey now",
        text="Links will say the survey has closed; answers so far are kept.",
    )


@network_view(Role.COORDINATOR)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.network_wave_for(request.network, pk)
    form = NominationsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is larger than 10 MB.")
        else:
            record = services.nominations_import_upload(
                wave=wave, filename=file.name, content=file.read()
            )
            return redirect("networks:nimports_show", network=request.network.slug, pk=record.pk)
    return render(
        request,
        "networks/imports/new.html",
        {"form": form, "wave": wave, "page_title": f"Import nominations into {wave.name}"},
    )


@network_view(Role.COORDINATOR)
def import_show(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.nomination_import_for(request.network, pk)
    problems, rows = [], []
    try:
        rows = parse_nominations(record)
    except DatasetError as exc:
        problems = exc.problems
    if request.method == "POST" and not problems and record.applied_at is None:
        count = services.nominations_import(upload=record)
        messages.success(request, f"{count} nomination{'s' if count != 1 else ''} imported.")
        return redirect("networks:nwaves_show", network=request.network.slug, pk=record.wave_id)
    return render(
        request,
        "networks/imports/show.html",
        {
            "record": record,
            "problems": problems,
            "rows": rows[:50],
            "count": len(rows),
            "page_title": f"Check {record.filename}",
        },
    )
