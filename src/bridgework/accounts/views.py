"""Signing in and out, and accepting an invitation."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.forms import AcceptInvitationForm, SignInForm
from bridgework.accounts.selectors import invitation_for_token, login_exists_for
from bridgework.accounts.services import invitation_accept
from bridgework.accounts.sso import provider_name, sso_configured


def sso_context() -> dict[str, object]:
    """What the sign-in and invitation pages need to offer single sign-on (if set up)."""
    return {"sso_provider": provider_name() if sso_configured() else ""}


def sign_in_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a sign-in attempt is for, as the lockout counts it: email addresses are
    matched case-insensitively at sign-in, so ``Coord@x`` and ``coord@x`` are one account."""
    if credentials:  # keyed by the form's field or by the user model's (``email``)
        values = {str(key): value for key, value in credentials.items()}
        if values.get("sso_callback"):
            # Single sign-on: the account is not known before the provider's answer is
            # checked, so each attempt is its own (its nonce) and only the address counts;
            # the provider keeps its own lockout per account.
            return f"single-sign-on:{values.get('nonce') or secrets.token_urlsafe(16)}"
        given = values.get("username") or values.get("email")
    else:
        given = getattr(request, "POST", {}).get("username")
    return str(given or "").strip().lower()


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """Too many failed sign-ins for this account or from this address: a plain 429 page."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "accounts/locked_out.html",
        {"page_title": _("Sign-in paused"), "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"page_title": _("Sign in")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | sso_context()


class SignOutView(LogoutView):
    pass


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"page_title": _("This invitation cannot be used")},
            status=404,
        )
    signed_in_as_invitee = (
        request.user.is_authenticated and request.user.email.lower() == invitation.email
    )
    has_login = login_exists_for(invitation.email)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST":
        if signed_in_as_invitee:
            user = invitation_accept(invitation=invitation, user=request.user)
        elif has_login:
            return redirect(f"/accounts/login/?next={request.path}")
        elif form.is_valid():
            user = invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            user = None
        if user is not None:
            messages.success(
                request, _("You have joined %(network)s.") % {"network": invitation.network.name}
            )
            return redirect("directory:home", network=invitation.network.slug)
    return render(
        request,
        "accounts/accept_invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "signed_in_as_invitee": signed_in_as_invitee,
            "has_login": has_login,
            "token": token,
            "page_title": _("Join %(network)s") % {"network": invitation.network.name},
            **sso_context(),
        },
    )
