"""Who can sign in to the network: owners invite coordinators and analysts by email."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts import selectors as accounts_selectors
from bridgework.accounts.forms import InviteForm
from bridgework.accounts.services import invitation_create, invitation_revoke
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory import selectors
from bridgework.directory.models import Role
from bridgework.web.pagination import page_of
from bridgework.web.tenancy import network_view


@network_view(Role.OWNER)
def index(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if selectors.members_for(request.network).filter(user__email__iexact=email).exists():
            form.add_error("email", "This person is already a member of the network.")
        else:
            invitation_create(
                network=request.network,
                email=email,
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
            audit_record(
                network=request.network,
                action=Action.MEMBER_INVITED,
                details={"email": email, "role": form.cleaned_data["role"]},
                request=request,
            )
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
            return redirect("directory:members", network=request.network.slug)
    return render(
        request,
        "directory/members/index.html",
        {
            "members": page_of(request, selectors.members_for(request.network)),
            "pending": page_of(
                request,
                accounts_selectors.invitations_pending_for(request.network),
                param="invitations_page",
            ),
            "form": form,
            "page_title": _("Members"),
        },
    )


@network_view(Role.OWNER)
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = accounts_selectors.invitation_for(request.network, pk)
    invitation_revoke(invitation=invitation)
    audit_record(
        network=request.network,
        action=Action.MEMBER_INVITATION_REVOKED,
        target=invitation,
        request=request,
    )
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("directory:members", network=request.network.slug)
