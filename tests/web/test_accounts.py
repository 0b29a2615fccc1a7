"""Sign-in, network switching, and owners inviting coordinators by email."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from bridgework.accounts.models import User
from bridgework.directory.models import Membership, Role
from bridgework.mail.models import OutboxMessage
from tests.factories import PASSWORD, login_with


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user("Someone@Example.org", PASSWORD)
    assert user.email == "someone@example.org"
    assert user.password.startswith("argon2")


@pytest.mark.django_db
def test_sign_in_with_email_in_any_case_lands_on_the_network(network_a):
    user = User.objects.create_user("coord@alpha.example", PASSWORD)
    Membership.objects.create(user=user, network=network_a, role=Role.COORDINATOR)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "COORD@alpha.example", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/n/{network_a.slug}/"
    wrong = Client().post(
        "/accounts/login/", {"username": "coord@alpha.example", "password": "nope"}
    )
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode()


@pytest.mark.django_db
def test_switching_network_only_to_ones_you_belong_to(network_a, network_b):
    client = login_with(network_a, Role.COORDINATOR, "c@x.example")
    user = User.objects.get(email="c@x.example")
    assert client.get(f"/networks/switch/?network={network_b.slug}").status_code == 404
    Membership.objects.create(user=user, network=network_b, role=Role.ANALYST)
    response = client.get(f"/networks/switch/?network={network_b.slug}")
    assert response["Location"] == f"/n/{network_b.slug}/"
    html = client.get(f"/n/{network_b.slug}/").content.decode()
    assert "Switch network" in html
    # The home page remembers the network used last.
    assert client.get("/")["Location"] == f"/n/{network_b.slug}/"


@pytest.mark.django_db
def test_owner_invites_a_coordinator_who_accepts_by_link(
    owner, network_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            f"/n/{network_a.slug}/members/", {"email": "New@Agency.example", "role": "coordinator"}
        )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(to="new@agency.example")
    assert message.network == network_a
    assert message.status == OutboxMessage.Status.SENT
    path = re.search(r"(/accounts/invitation/[^/\s]+/)", message.text_body).group(1)
    guest = Client()
    page = guest.get(path)
    assert "Join Alpha" in page.content.decode()
    response = guest.post(path, {"name": "New Person", "password": "correct-horse-battery"})
    assert response["Location"] == f"/n/{network_a.slug}/"
    user = User.objects.get(email="new@agency.example")
    assert Membership.objects.get(user=user, network=network_a).role == Role.COORDINATOR
    # The link works once.
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_only_owners_can_invite(coordinator, network_a):
    assert coordinator.get(f"/n/{network_a.slug}/members/").status_code == 403


@pytest.mark.django_db
def test_a_made_up_invitation_link_gets_a_plain_page():
    response = Client().get("/accounts/invitation/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation cannot be used" in response.content.decode()


@pytest.mark.django_db
def test_pending_invitations_selector_leaves_out_answered_expired_and_other_networks(
    network_a, network_b
):
    from datetime import timedelta

    from django.utils import timezone

    from bridgework.accounts import selectors
    from bridgework.accounts.services import invitation_create, invitation_revoke

    inviter = User.objects.create_user("owner@alpha.example", PASSWORD)
    made = {
        email: invitation_create(network=network, email=email, role="analyst", invited_by=inviter)
        for network, email in [
            (network_a, "waiting@alpha.example"),
            (network_a, "revoked@alpha.example"),
            (network_a, "expired@alpha.example"),
            (network_a, "accepted@alpha.example"),
            (network_b, "other@beta.example"),
        ]
    }
    invitation_revoke(invitation=made["revoked@alpha.example"])
    made["expired@alpha.example"].expires_at = timezone.now() - timedelta(minutes=1)
    made["expired@alpha.example"].save()
    made["accepted@alpha.example"].accepted_at = timezone.now()
    made["accepted@alpha.example"].save()
    pending = list(selectors.invitations_pending_for(network_a))
    assert [i.email for i in pending] == ["waiting@alpha.example"]
    assert all(i.is_pending for i in pending)
    with pytest.raises(type(made["other@beta.example"]).DoesNotExist):
        selectors.invitation_for(network_a, made["other@beta.example"].pk)
    assert selectors.login_exists_for("OWNER@alpha.example")
    assert not selectors.login_exists_for("waiting@alpha.example")
