"""Erasing a person: a confirmation page naming what will be deleted, then a POST."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory import selectors
from bridgework.directory.models import Role
from bridgework.governance.erasure import person_erase, person_erasure_counts
from bridgework.governance.forms import EraseForm
from bridgework.web.tenancy import network_view


@network_view(Role.COORDINATOR)
def person_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(request.network, pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person_id = person.pk
        counts = person_erase(person=person)
        # The log names no one: an id and counts only (the erased name must not survive).
        audit_record(
            network=request.network,
            action=Action.PERSON_ERASED,
            details={"person": f"person #{person_id}", "deleted": counts},
            request=request,
        )
        messages.success(
            request,
            _("Erased person #%(person_id)s: %(records)s records.")
            % {"person_id": person_id, "records": sum(counts.values())},
        )
        return redirect("directory:people", network=request.network.slug)
    return render(
        request,
        "governance/erase.html",
        {
            "person": person,
            "counts": person_erasure_counts(person=person),
            "form": form,
            "page_title": _("Erase %(name)s") % {"name": person.name},
        },
        status=400 if request.method == "POST" else 200,
    )
