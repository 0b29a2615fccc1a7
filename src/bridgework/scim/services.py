"""Directory sync writes: bearer tokens, and Users and Groups written into the directory.

Every write validates first and runs in one transaction; nothing is half-written. Each change
to the directory, and each refused token of a network, is recorded in the network's audit
log in that same transaction (a write that fails leaves no event, an event no write)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Network, Organisation, Person
from bridgework.directory.services import (
    organisation_update,
    person_provision,
    person_set_active,
    person_set_organisation,
)
from bridgework.scim.errors import ScimError
from bridgework.scim.models import ProvisionedGroup, ProvisionedPerson, ScimToken
from bridgework.scim.users import UserValues
from bridgework.tokens import token_digest
from bridgework.web.bearer_tokens import (
    bearer_token_issue,
    bearer_token_revoke,
    bearer_token_used,
)

__all__ = [
    "scim_group_delete",
    "scim_group_write",
    "scim_token_create",
    "scim_token_refused",
    "scim_token_revoke",
    "scim_token_used",
    "scim_user_delete",
    "scim_user_write",
]


@transaction.atomic
def scim_token_create(
    *, network: Network, name: str, created_by: object, request: HttpRequest | None = None
) -> tuple[ScimToken, str]:
    """A new bearer token for the network; returns it and the plain value (shown once).
    Recorded in the audit log as done by ``created_by``."""
    token = ScimToken(network=network, name=name.strip(), created_by=created_by)
    return bearer_token_issue(
        token=token, action=Action.SCIM_TOKEN_CREATED, details=_via(token), request=request
    )


@transaction.atomic
def scim_token_revoke(
    *, token: ScimToken, actor: object = None, request: HttpRequest | None = None
) -> None:
    """Revoke ``token`` from now on (once: revoking it again changes and records nothing)."""
    bearer_token_revoke(
        token=token,
        actor=actor,
        action=Action.SCIM_TOKEN_REVOKED,
        details=_via(token),
        request=request,
    )


def scim_token_used(*, token: ScimToken) -> None:
    """Note the time of use, at most once a minute (one write, not one per request)."""
    bearer_token_used(token=token)


logger = logging.getLogger("bridgework.scim")

#: How a SCIM request wrote a resource: POST, PUT or PATCH.
Operation = Literal["create", "replace", "patch"]
_USER_ACTIONS = {
    "create": Action.SCIM_USER_CREATED,
    "replace": Action.SCIM_USER_REPLACED,
    "patch": Action.SCIM_USER_PATCHED,
}
_GROUP_ACTIONS = {
    "create": Action.SCIM_GROUP_CREATED,
    "replace": Action.SCIM_GROUP_REPLACED,
    "patch": Action.SCIM_GROUP_PATCHED,
}


def _via(token: ScimToken) -> dict[str, str]:
    """Who acted: the provider holding this token (the event has no login)."""
    return {"sync token": token.name}


def _person_label(person: Person) -> str:
    # Not the name: the log cannot be changed, and would keep it past the person's erasure.
    return f"person {person.pk}"


def scim_token_refused(*, plain: str, request: HttpRequest | None = None) -> None:
    """A request came with a bearer value that is no working token.

    A revoked token is recorded in its network's audit log (an identity provider still
    syncing with a token an owner withdrew, or someone who kept a copy). A value that is no
    token at all names no network, so it can go in no network's log: it is logged as a
    warning, with the client address, never with the value itself.
    """
    revoked = None
    if plain:
        revoked = (
            ScimToken.objects.select_related("network")
            .filter(token_digest=token_digest(plain), revoked_at__isnull=False)
            .first()
        )
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    if revoked is None:
        logger.warning("SCIM request refused: no valid bearer token (client %s)", address)
        return
    audit_record(
        network=revoked.network,
        action=Action.SCIM_TOKEN_REFUSED,
        target=revoked,
        details={**_via(revoked), "reason": "revoked", "path": request.path if request else ""},
        request=request,
    )


def _uniqueness(error: ValidationError) -> ScimError:
    messages = "; ".join(error.messages)
    if "already" in messages:
        return ScimError(409, f"userName: {messages}", "uniqueness")
    return ScimError(400, messages, "invalidValue")


@transaction.atomic
def scim_user_write(
    *,
    network: Network,
    person: Person | None,
    values: UserValues,
    manager: Person | None,
    token: ScimToken,
    operation: Operation,
    request: HttpRequest | None = None,
) -> Person:
    """Create (``person=None``) or overwrite a person from a SCIM User, and keep what SCIM
    knows beside the directory (``externalId``, userName, name parts). ``operation`` (the
    request's create, replace or patch) and ``token`` go into the audit event."""
    clash = Person.objects.filter(network=network, email__iexact=values.email)
    if person is not None:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise ScimError(
            409,
            f"userName: someone in the directory already has the email address {values.email}",
            "uniqueness",
        )
    if manager is not None and person is not None and manager.pk == person.pk:
        raise ScimError(400, "manager: a person cannot be their own manager", "invalidValue")
    try:
        person = person_provision(
            network=network,
            person=person,
            name=values.name,
            email=values.email,
            organisation_name=values.organisation,
            team_name=values.department,
            job_title=values.title,
            time_zone=values.time_zone,
            manager=manager,
            active=values.active,
        )
    except ValidationError as error:
        raise _uniqueness(error) from error
    ProvisionedPerson.objects.update_or_create(
        person=person,
        defaults={
            "user_name": values.user_name,
            "external_id": values.external_id,
            "given_name": values.given_name,
            "family_name": values.family_name,
            "display_name": values.display_name,
            "formatted_name": values.formatted_name,
            "email_type": values.email_type[:40],
            "email_primary": values.email_primary,
            "deleted_at": None,
        },
    )
    audit_record(
        network=network,
        action=_USER_ACTIONS[operation],
        target=person,
        label=_person_label(person),
        details={**_via(token), "active": person.active},
        request=request,
    )
    return person


@transaction.atomic
def scim_user_delete(
    *, person: Person, token: ScimToken, request: HttpRequest | None = None
) -> None:
    """The provider deleted the user: deactivate the person (never delete the record: past
    waves and pairings keep their meaning) and answer 404 for them from now on."""
    person_set_active(person=person, active=False)
    ProvisionedPerson.objects.update_or_create(
        person=person, defaults={"deleted_at": timezone.now()}
    )
    audit_record(
        network=person.network,
        action=Action.SCIM_USER_DEACTIVATED,
        target=person,
        label=_person_label(person),
        details=_via(token),
        request=request,
    )


@transaction.atomic
def scim_group_write(
    *,
    network: Network,
    organisation: Organisation | None,
    display_name: str,
    external_id: str,
    members: Iterable[Person] | None,
    token: ScimToken,
    operation: Operation,
    request: HttpRequest | None = None,
) -> Organisation:
    """Create or overwrite a Group: an organisation of the network and its people.

    ``members=None`` leaves the people as they are. A person is in one organisation, so
    joining this one moves them out of any other. ``operation`` and ``token`` go into the
    audit event, with how many people joined and left."""
    display_name = " ".join(display_name.split())
    if not display_name:
        raise ScimError(400, "displayName: is required", "invalidValue")
    same_name = Organisation.objects.filter(network=network, name__iexact=display_name)
    if organisation is not None:
        same_name = same_name.exclude(pk=organisation.pk)
    existing = same_name.select_related("provisioned").first()
    if existing is not None:
        link = getattr(existing, "provisioned", None)
        if organisation is None and link is not None and link.deleted_at is not None:
            organisation = existing  # created again after a delete: the same organisation
        else:
            raise ScimError(
                409, f"displayName: an organisation named {display_name} exists", "uniqueness"
            )
    try:
        if organisation is None:
            organisation = Organisation(network=network, name=display_name)
            organisation.full_clean()
            organisation.save()
        elif organisation.name != display_name:
            organisation_update(
                organisation=organisation,
                name=display_name,
                short_name=organisation.short_name,
                kind=organisation.kind,
                description=organisation.description,
            )
    except ValidationError as error:
        raise ScimError(400, "displayName: " + "; ".join(error.messages), "invalidValue") from error
    ProvisionedGroup.objects.update_or_create(
        organisation=organisation, defaults={"external_id": external_id, "deleted_at": None}
    )
    joined = left = 0
    if members is not None:
        wanted = {person.pk: person for person in members}
        for person in Person.objects.filter(organisation=organisation).exclude(pk__in=wanted):
            person_set_organisation(person=person, organisation=None)
            left += 1
        for person in wanted.values():
            if person.organisation_id != organisation.pk:
                person_set_organisation(person=person, organisation=organisation)
                joined += 1
    audit_record(
        network=network,
        action=_GROUP_ACTIONS[operation],
        target=organisation,
        details={**_via(token), "members joined": joined, "members left": left},
        request=request,
    )
    return organisation


@transaction.atomic
def scim_group_delete(
    *, organisation: Organisation, token: ScimToken, request: HttpRequest | None = None
) -> None:
    """The provider deleted the Group: its people leave the organisation, which stays in the
    directory (past results by organisation keep their meaning) but not in SCIM."""
    left = 0
    for person in Person.objects.filter(organisation=organisation):
        person_set_organisation(person=person, organisation=None)
        left += 1
    ProvisionedGroup.objects.update_or_create(
        organisation=organisation, defaults={"deleted_at": timezone.now()}
    )
    audit_record(
        network=organisation.network,
        action=Action.SCIM_GROUP_DEACTIVATED,
        target=organisation,
        details={**_via(token), "members left": left},
        request=request,
    )
