"""Directory sync writes: bearer tokens, and Users and Groups written into the directory.

Every write validates first and runs in one transaction; nothing is half-written."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

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
from bridgework.tokens import issue_token

__all__ = [
    "scim_group_delete",
    "scim_group_write",
    "scim_token_create",
    "scim_token_revoke",
    "scim_token_used",
    "scim_user_delete",
    "scim_user_write",
]


@transaction.atomic
def scim_token_create(*, network: Network, name: str, created_by: object) -> tuple[ScimToken, str]:
    """A new bearer token for the network; returns it and the plain value (shown once)."""
    issued = issue_token()
    token = ScimToken(
        network=network, name=name.strip(), token_digest=issued.digest, created_by=created_by
    )
    token.full_clean()
    token.save()
    return token, issued.plain


def scim_token_revoke(*, token: ScimToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def scim_token_used(*, token: ScimToken) -> None:
    """Note the time of use, at most once a minute (one write, not one per request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _uniqueness(error: ValidationError) -> ScimError:
    messages = "; ".join(error.messages)
    if "already" in messages:
        return ScimError(409, f"userName: {messages}", "uniqueness")
    return ScimError(400, messages, "invalidValue")


@transaction.atomic
def scim_user_write(
    *, network: Network, person: Person | None, values: UserValues, manager: Person | None
) -> Person:
    """Create (``person=None``) or overwrite a person from a SCIM User, and keep what SCIM
    knows beside the directory (``externalId``, userName, name parts)."""
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
    return person


@transaction.atomic
def scim_user_delete(*, person: Person) -> None:
    """The provider deleted the user: deactivate the person (never delete the record: past
    waves and pairings keep their meaning) and answer 404 for them from now on."""
    person_set_active(person=person, active=False)
    ProvisionedPerson.objects.update_or_create(
        person=person, defaults={"deleted_at": timezone.now()}
    )


@transaction.atomic
def scim_group_write(
    *,
    network: Network,
    organisation: Organisation | None,
    display_name: str,
    external_id: str,
    members: Iterable[Person] | None,
) -> Organisation:
    """Create or overwrite a Group: an organisation of the network and its people.

    ``members=None`` leaves the people as they are. A person is in one organisation, so
    joining this one moves them out of any other."""
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
    if members is not None:
        wanted = {person.pk: person for person in members}
        for person in Person.objects.filter(organisation=organisation).exclude(pk__in=wanted):
            person_set_organisation(person=person, organisation=None)
        for person in wanted.values():
            if person.organisation_id != organisation.pk:
                person_set_organisation(person=person, organisation=organisation)
    return organisation


@transaction.atomic
def scim_group_delete(*, organisation: Organisation) -> None:
    """The provider deleted the Group: its people leave the organisation, which stays in the
    directory (past results by organisation keep their meaning) but not in SCIM."""
    for person in Person.objects.filter(organisation=organisation):
        person_set_organisation(person=person, organisation=None)
    ProvisionedGroup.objects.update_or_create(
        organisation=organisation, defaults={"deleted_at": timezone.now()}
    )
