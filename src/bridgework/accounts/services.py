"""Inviting coordinators and accepting invitations."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import CoordinatorInvitation, User
from bridgework.directory.models import Membership, Network, Role
from bridgework.mail.services import email_queue
from bridgework.tokens import issue_token

INVITATION_DAYS = 14


@transaction.atomic
def invitation_create(
    *, network: Network, email: str, role: str, invited_by: User
) -> CoordinatorInvitation:
    """Invite someone to the network with a role and email them a single-use link."""
    token = issue_token()
    invitation = CoordinatorInvitation(
        network=network,
        email=email.strip().lower(),
        role=Role(role),
        token_digest=token.digest,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    email_queue(
        network=network,
        to=invitation.email,
        kind="coordinator-invitation",
        subject=format_lazy(
            gettext_lazy("You are invited to {network} on Bridgework"), network=network.name
        ),
        template="accounts/emails/invitation",
        context={
            "invitation": invitation,
            "inviter": invited_by,
            "path": reverse("accounts:accept_invitation", kwargs={"token": token.plain}),
        },
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: CoordinatorInvitation,
    user: User | None = None,
    name: str = "",
    password: str = "",
) -> User:
    """Join the network: an existing login gains the membership, or a new login is made
    (without a usable password when none is given: it signs in through single sign-on)."""
    invitation = CoordinatorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValueError("This invitation can no longer be used.")
    if user is None:
        user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password or None, name=name)
    Membership.objects.update_or_create(
        user=user, network=invitation.network, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def invitation_revoke(*, invitation: CoordinatorInvitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def network_set_password_sign_in(*, network: Network, allowed: bool) -> Network:
    """Allow or switch off local passwords for the network's logins (single sign-on only).

    A login that belongs to several networks cannot use a password once any of them has
    switched passwords off."""
    network.password_sign_in = allowed
    network.save(update_fields=["password_sign_in"])
    return network
