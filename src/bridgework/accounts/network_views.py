"""A network's sign-in settings: whether its logins may use local passwords."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.services import network_set_password_sign_in
from bridgework.accounts.sso import BACKEND_PATH, provider_name, sso_configured
from bridgework.directory.models import Role
from bridgework.web.forms import Form
from bridgework.web.tenancy import network_view


class PasswordSignInForm(Form):
    password_sign_in = forms.TypedChoiceField(
        label=_("Local passwords"),
        choices=[
            ("yes", "Allowed: logins may sign in with a password or single sign-on"),
            ("no", "Switched off: this network's logins sign in through single sign-on only"),
        ],
        coerce=lambda value: value == "yes",
    )

    def __init__(self, *args, signed_in_by_sso: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.signed_in_by_sso = signed_in_by_sso

    def clean_password_sign_in(self) -> bool:
        allowed = self.cleaned_data["password_sign_in"]
        if not allowed and not sso_configured():
            raise forms.ValidationError(
                "Single sign-on is not set up on this server, so passwords cannot be switched "
                "off: the server's administrator sets OIDC_RP_CLIENT_ID and OIDC_ISSUER first."
            )
        if not allowed and not self.signed_in_by_sso:
            raise forms.ValidationError(
                f"Sign in with {provider_name()} first, then switch passwords off: that shows "
                "single sign-on works for you before your password stops working."
            )
        return allowed


@network_view(Role.OWNER)
def settings_page(request: HttpRequest) -> HttpResponse:
    network = request.network
    form = PasswordSignInForm(
        request.POST or None,
        initial={"password_sign_in": "yes" if network.password_sign_in else "no"},
        signed_in_by_sso=request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH,
    )
    if request.method == "POST" and form.is_valid():
        allowed = form.cleaned_data["password_sign_in"]
        network_set_password_sign_in(network=network, allowed=allowed)
        messages.success(
            request,
            "Local passwords are allowed."
            if allowed
            else "Local passwords are switched off: this network's logins use single sign-on.",
        )
        return redirect("sign_in:settings", network=network.slug)
    return render(
        request,
        "accounts/network_settings.html",
        {
            "form": form,
            "page_title": _("Sign-in settings"),
            "sso_provider": provider_name() if sso_configured() else "",
        },
    )
