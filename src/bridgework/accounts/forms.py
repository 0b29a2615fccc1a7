"""Sign-in and invitation forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.sso import provider_name, sso_configured
from bridgework.directory.models import Role
from bridgework.web.forms import Form, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def confirm_login_allowed(self, user) -> None:
        """Refuse a correct password when one of the login's networks allows single sign-on
        only. Said after the password was right, so the page reveals nothing to a guesser."""
        super().confirm_login_allowed(user)
        closed = [
            m.network.name
            for m in user.memberships.select_related("network")
            if not m.network.password_sign_in
        ]
        if closed:
            names = ", ".join(sorted(closed))
            how = (
                _("Use “Sign in with %(provider)s” instead.") % {"provider": provider_name()}
                if sso_configured()
                else _("Single sign-on is not set up on this server: ask your network's owner.")
            )
            raise forms.ValidationError(
                _(
                    "Passwords are switched off for %(names)s: its logins sign in through "
                    "single sign-on. %(how)s"
                )
                % {"names": names, "how": how},
                code="password_sign_in_off",
            )


class InviteForm(Form):
    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.COORDINATOR)


class AcceptInvitationForm(Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 10 characters."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password
