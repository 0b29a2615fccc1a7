"""Single sign-on pages: start (off to the provider), the provider's callback, and refusals.

The callback does what mozilla-django-oidc's does (state, nonce and PKCE from this browser's
session, then ``authenticate``) but answers every failure with a page that says what went
wrong, never a traceback and never a silent redirect.
"""

from __future__ import annotations

from django.contrib import auth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from bridgework.accounts.selectors import invitation_for_token
from bridgework.accounts.sso import (
    INVITATION_SESSION_KEY,
    SignOnRefusedError,
    SingleSignOnUnavailableError,
    oidc_setting,
    provider_name,
    sso_configured,
)

#: What each refusal tells the visitor: (heading, explanation). ``{email}`` and
#: ``{provider}`` are filled in.
REFUSALS = {
    "state": (
        _("Sign-in was not completed"),
        _(
            "This sign-in did not start in this browser, or it was already used. "
            "Go back to the sign-in page and start again."
        ),
    ),
    "provider-error": (
        _("Sign-in was not completed"),
        _("{provider} did not sign you in. Go back to the sign-in page and try again."),
    ),
    "unverifiable": (
        _("Sign-in could not be checked"),
        _(
            "The answer from {provider} did not pass our checks (its signature, audience, "
            "expiry or this browser's sign-in code), so no one was signed in. Start again; if it "
            "keeps happening, tell your IT team."
        ),
    ),
    "unverified-email": (
        _("Your email address is not verified"),
        _(
            "{provider} did not confirm that the email address {email} is yours, so it cannot be "
            "used to sign in. Ask your IT team to verify it."
        ),
    ),
    "unknown-email": (
        _("You do not have a login yet"),
        _(
            "There is no login for {email}. Ask your network's owner for an invitation; once you "
            "accept it you can sign in with {provider}."
        ),
    ),
    "inactive": (
        _("This login is switched off"),
        _("The login for {email} has been switched off. Ask your network's owner."),
    ),
    "invitation-mismatch": (
        _("This invitation is for someone else"),
        _(
            "{provider} signed you in as {email}, but the invitation is for another address. "
            "Sign in to {provider} with the invited address, or ask for an invitation to {email}."
        ),
    ),
    "unavailable": (
        _("Single sign-on is unavailable"),
        _("We could not reach {provider} just now. Try again in a few minutes."),
    ),
}


def refusal_page(
    request: HttpRequest, refusal: SignOnRefusedError, *, status: int = 403
) -> HttpResponse:
    heading, text = REFUSALS.get(refusal.reason, REFUSALS["unverifiable"])
    return render(
        request,
        "accounts/sso_refused.html",
        {
            "page_title": heading,
            "explanation": text.format(email=refusal.email, provider=provider_name()),
            "reason": refusal.reason,
        },
        status=status,
    )


class SignOnStartView(OIDCAuthenticationRequestView):
    """Off to the provider, remembering the state, nonce and (optionally) invitation."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_configured():
            raise Http404(_("Single sign-on is not set up"))
        request.session.pop(INVITATION_SESSION_KEY, None)
        invitation = invitation_for_token(request.GET.get("invitation", ""))
        if invitation is not None:
            request.session[INVITATION_SESSION_KEY] = invitation.pk
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SingleSignOnUnavailableError:
            return refusal_page(request, SignOnRefusedError("unavailable"), status=503)
        return super().get(request)


class SignOnCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code (or an error)."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_configured():
            raise Http404(_("Single sign-on is not set up"))
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            states.pop(state, None)
            request.session.modified = True
            return refusal_page(request, SignOnRefusedError("provider-error"))
        if not request.GET.get("code") or state not in states:
            return refusal_page(request, SignOnRefusedError("state"))
        # One use per state: a replayed callback finds nothing.
        remembered = states.pop(state)
        request.session["oidc_states"] = states
        user = auth.authenticate(
            request=request,
            nonce=remembered.get("nonce"),
            code_verifier=remembered.get("code_verifier"),
            sso_callback=True,
        )
        if user is None or not user.is_active:
            refusal = getattr(request, "sso_refusal", None) or SignOnRefusedError("unverifiable")
            return refusal_page(request, refusal)
        self.user = user
        return self.login_success()
