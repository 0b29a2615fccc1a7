"""The network's settings page: owners change its privacy settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory import services
from bridgework.directory.forms import NetworkSettingsForm
from bridgework.directory.models import Network, Role
from bridgework.web.tenancy import network_view

#: The audit action recorded for each setting.
AUDITED = {
    "min_group_size": Action.MIN_GROUP_SIZE_CHANGED,
    "retention_days": Action.RETENTION_CHANGED,
}


@network_view(Role.OWNER)
def edit(request: HttpRequest) -> HttpResponse:
    network: Network = request.network  # type: ignore[attr-defined]
    # The form edits a copy, so a rejected value never shows as the network's in the page.
    form = NetworkSettingsForm(request.POST or None, instance=Network.objects.get(pk=network.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.network_settings_update(
                network=network,
                min_group_size=form.cleaned_data["min_group_size"],
                retention_days=form.cleaned_data["retention_days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            for field, (before, after) in changes.items():
                audit_record(
                    network=network,
                    action=AUDITED[field],
                    target=network,
                    details={"setting": field, "from": before, "to": after},
                    request=request,
                )
            if form.cleaned_data.get("default_language"):
                language_changed = services.network_language_set(
                    network=network, default_language=form.cleaned_data["default_language"]
                )
                changes = changes or language_changed
            messages.success(request, _("Settings saved.") if changes else _("Nothing changed."))
            return redirect("directory:settings", network=network.slug)
    return render(
        request,
        "directory/settings.html",
        {"form": form, "page_title": _("Network settings")},
    )
