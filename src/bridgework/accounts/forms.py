"""Sign-in and invitation forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from bridgework.accounts.sso import provider_name, sso_configured
from bridgework.directory.models import Role
from bridgework.web.forms import Form, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
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
                f"Use “Sign in with {provider_name()}” instead."
                if sso_configured()
                else "Single sign-on is not set up on this server: ask your network's owner."
            )
            raise forms.ValidationError(
                f"Passwords are switched off for {names}: its logins sign in through single "
                f"sign-on. {how}",
                code="password_sign_in_off",
            )


class InviteForm(Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.COORDINATOR)


class AcceptInvitationForm(Form):
    name = forms.CharField(label="Your name", max_length=200)
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        help_text="At least 10 characters.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password
