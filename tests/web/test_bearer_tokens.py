"""The bearer-token pieces the API and directory sync share: issuing writes the token and its
audit event or nothing, revoking happens once, a use is noted at most once a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bridgework.api.models import ApiToken
from bridgework.audit.models import Action, AuditEvent
from bridgework.scim.models import ScimToken
from bridgework.tokens import token_digest
from bridgework.web.bearer_tokens import (
    bearer_token_issue,
    bearer_token_revoke,
    bearer_token_used,
)

KINDS = [
    (ApiToken, {"scopes": ["read:network"]}, Action.API_TOKEN_CREATED, Action.API_TOKEN_REVOKED),
    (ScimToken, {}, Action.SCIM_TOKEN_CREATED, Action.SCIM_TOKEN_REVOKED),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "extra", "created", "revoked"), KINDS)
def test_issue_stores_the_digest_and_records_once(network_a, model, extra, created, revoked):
    token, plain = bearer_token_issue(
        token=model(network=network_a, name="Feed", **extra), action=created, details={"k": "v"}
    )
    token.refresh_from_db()
    assert token.token_digest == token_digest(plain)
    assert token.is_active
    event = AuditEvent.objects.get(network=network_a, action=created)
    assert event.details == {"k": "v"}
    assert bearer_token_revoke(token=token, actor=None, action=revoked) is True
    assert bearer_token_revoke(token=token, actor=None, action=revoked) is False
    token.refresh_from_db()
    assert not token.is_active
    assert AuditEvent.objects.filter(network=network_a, action=revoked).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "extra", "created", "revoked"), KINDS)
def test_an_invalid_token_writes_nothing(network_a, model, extra, created, revoked):
    with pytest.raises(ValidationError, match="name"):
        bearer_token_issue(
            token=model(network=network_a, name="", **extra), action=created, details={}
        )
    assert not model.objects.exists()
    assert not AuditEvent.objects.filter(action=created).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "extra", "created", "revoked"), KINDS)
def test_a_use_is_noted_at_most_once_a_minute(network_a, model, extra, created, revoked):
    token, _plain = bearer_token_issue(
        token=model(network=network_a, name="Feed", **extra), action=created, details={}
    )
    bearer_token_used(token=token)
    first = model.objects.get(pk=token.pk).last_used_at
    assert first is not None
    bearer_token_used(token=token)
    assert model.objects.get(pk=token.pk).last_used_at == first
    token.last_used_at = first - timedelta(minutes=2)
    bearer_token_used(token=token)
    assert model.objects.get(pk=token.pk).last_used_at > first
    assert model.objects.get(pk=token.pk).last_used_at <= timezone.now()
