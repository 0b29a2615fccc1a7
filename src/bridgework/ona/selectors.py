"""Reading network mapping records. Every selector starts from the network, so a record of
another network is never found (``DoesNotExist`` becomes a 404 in ``network_view``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from bridgework.analysis.network_result import NetworkOptions
from bridgework.directory.models import Network, Person
from bridgework.ona.models import (
    NetworkInvitation,
    NetworkInvitationToken,
    NetworkWave,
    Nomination,
    NominationImport,
    OutsideContact,
    Relation,
    RolesInvitation,
)
from bridgework.tokens import token_digest
from bridgework.waves.selectors import Progress, eligible_people, wave_progress

#: Most matches the colleague search returns: enough to find someone, never a directory dump.
SEARCH_LIMIT = 10
#: Fewest characters before the search answers.
SEARCH_MIN_CHARS = 3
#: Under this share of invited people answering, people-level figures are unreliable: the
#: same threshold the analysis warns at, so the progress page and the results agree.
LOW_RESPONSE_RATE = NetworkOptions().response_rate_threshold


def network_waves_for(network: Network) -> QuerySet[NetworkWave]:
    return NetworkWave.objects.filter(network=network).annotate(
        invited=Count("invitations", distinct=True),
        completed=Count(
            "invitations", filter=Q(invitations__completed_at__isnull=False), distinct=True
        ),
    )


def network_wave_for(network: Network, wave_id: int) -> NetworkWave:
    return NetworkWave.objects.select_related("network").get(network=network, pk=wave_id)


def wave_relations(wave: NetworkWave) -> list[tuple[str, str]]:
    """Relations a map can show: the survey's own, then any other an imported file brought."""
    built_in = [(r.value, r.label) for r in Relation]
    known = {value for value, _ in built_in}
    imported = (
        Nomination.objects.filter(wave=wave)
        .exclude(relation__in=known)
        .values_list("relation", flat=True)
        .distinct()
        .order_by("relation")
    )
    return built_in + [(r, r.replace("_", " ").capitalize()) for r in imported]


@dataclass(frozen=True)
class OutsideContacts:
    """Organisations outside the directory that respondents work with.

    Only organisations named by at least the wave's minimum group size are listed by name
    (the names are free text a single respondent typed); the rest are only counted.
    """

    shown: tuple[tuple[str, int], ...]
    hidden: int


def outside_contacts_for(wave: NetworkWave) -> OutsideContacts:
    """Outside organisations by how many respondents named them (names compared ignoring
    capitals), most named first."""
    grouped = (
        OutsideContact.objects.filter(invitation__wave=wave)
        .annotate(key=Lower("organisation"))
        .values("key")
        .annotate(name=Min("organisation"), respondents=Count("invitation", distinct=True))
        .order_by("-respondents", "key")
    )
    k = wave.min_group_size_in_force
    rows = [(g["name"], g["respondents"]) for g in grouped]
    return OutsideContacts(
        shown=tuple(r for r in rows if r[1] >= k), hidden=sum(1 for r in rows if r[1] < k)
    )


def latest_closed_network_wave(network: Network) -> NetworkWave | None:
    """The network's network-survey wave that closed last (its figures are final), as
    :func:`bridgework.surveys.selectors.latest_closed_wave` is for RC waves."""
    return (
        NetworkWave.objects.filter(network=network, closes_at__lte=timezone.now())
        .select_related("network")
        .order_by("-closes_at", "-pk")
        .first()
    )


def latest_network_wave(network: Network) -> NetworkWave | None:
    """The wave whose network view sits beside the self-assessments: the latest closed one
    (final figures), else the latest that has opened, else none."""
    now = timezone.now()
    return (
        latest_closed_network_wave(network)
        or NetworkWave.objects.filter(network=network, opens_at__lte=now)
        .select_related("network")
        .order_by("-opens_at", "-pk")
        .first()
    )


def network_wave_progress(wave: NetworkWave, *, small_counts: bool = False) -> Progress:
    """Response counts overall and by organisation (two grouped queries); the response rate
    is of those who answered. With ``small_counts`` false (analysts), small organisations'
    counts are left out as on every wave's progress
    (:func:`bridgework.waves.selectors.wave_progress`)."""
    return wave_progress(
        NetworkInvitation.objects.filter(wave=wave),
        min_group_size=wave.min_group_size_in_force,
        groupings={"organisation": "person__organisation__name"},
        small_counts=small_counts,
        measure="answered",
        low_rate=LOW_RESPONSE_RATE,
        overall_name="Everyone invited",
    )


def analysis_fingerprint(wave: NetworkWave, people: Mapping[str, Person]) -> str:
    """A digest of everything the wave's network analysis reads, to key its cache.

    Count and latest time of the wave's nominations and of its invitations' starts and
    finishes, the consents to be named, the self-assessments (answers can change after
    finishing, so their content), and the directory's people with their groups (``people``,
    which the caller has loaded anyway). Any new or changed answer changes the digest.
    """
    nominations = Nomination.objects.filter(wave=wave).aggregate(
        n=Count("pk"), latest=Max("updated_at")
    )
    invitations = NetworkInvitation.objects.filter(wave=wave).aggregate(
        n=Count("pk"),
        started=Count("pk", filter=Q(started_at__isnull=False)),
        latest_start=Max("started_at"),
        named=Count("pk", filter=Q(consent_named=True)),
        latest_finish=Max("completed_at"),
    )
    assessments = sorted(
        (pk, sorted(answers.items()))
        for pk, answers in RolesInvitation.objects.filter(
            network_id=wave.network_id, completed_at__isnull=False
        ).values_list("person_id", "answers")
    )
    directory = [
        (
            pk,
            p.organisation.name if p.organisation else "",
            p.team.name if p.team else "",
            p.workgroup.name if p.workgroup else "",
        )
        for pk, p in sorted(people.items())
    ]
    payload = repr(
        (sorted(nominations.items()), sorted(invitations.items()), assessments, directory)
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def nomination_import_for(network: Network, import_id: int) -> NominationImport:
    return NominationImport.objects.select_related("wave").get(network=network, pk=import_id)


def person_names(network: Network, ids: set[int]) -> dict[int, str]:
    """Names of the given directory people of this network, by id (for previews)."""
    return dict(Person.objects.filter(network=network, pk__in=ids).values_list("pk", "name"))


def invitation_for_token(token: str) -> NetworkInvitation | None:
    """The network invitation behind a link, or ``None`` for a wrong token."""
    if not token or len(token) > 100:
        return None
    link = (
        NetworkInvitationToken.objects.select_related(
            "invitation__wave__network", "invitation__person"
        )
        .filter(digest=token_digest(token))
        .first()
    )
    return link.invitation if link is not None else None


def roles_invitation_for_token(token: str) -> RolesInvitation | None:
    if not token or len(token) > 100:
        return None
    return (
        RolesInvitation.objects.select_related("network", "person")
        .filter(digest=token_digest(token))
        .first()
    )


def colleague_search(invitation: NetworkInvitation, query: str) -> list[Person]:
    """At most :data:`SEARCH_LIMIT` active colleagues of the wave's network whose name
    contains every word typed (not the respondent themself)."""
    words = query.split()
    if len(query.strip()) < SEARCH_MIN_CHARS or not words:
        return []
    people = (
        Person.objects.filter(network_id=invitation.network_id, active=True)
        .exclude(pk=invitation.person_id)
        .select_related("organisation")
    )
    for word in words[:5]:
        people = people.filter(name__icontains=word)
    return list(people.order_by("name", "pk")[:SEARCH_LIMIT])


def _colleague_signer(invitation: NetworkInvitation) -> signing.Signer:
    return signing.Signer(salt=f"bridgework.network-colleague.{invitation.pk}", sep=".")


def colleague_ref(invitation: NetworkInvitation, person_id: int) -> str:
    """The opaque reference a respondent's pages use for a colleague: signed for this one
    invitation, so it can only come from this respondent's own search results or choices —
    walking numbers in the address names no one."""
    return _colleague_signer(invitation).sign(str(person_id))


def colleague_for(invitation: NetworkInvitation, ref: str) -> Person:
    """The colleague behind a reference from :func:`colleague_ref`; ``Person.DoesNotExist``
    for a forged, altered or another invitation's reference."""
    try:
        person_id = int(_colleague_signer(invitation).unsign(ref))
    except (signing.BadSignature, ValueError):
        raise Person.DoesNotExist("not a colleague reference of this invitation") from None
    return (
        Person.objects.select_related("organisation")
        .exclude(pk=invitation.person_id)
        .get(network_id=invitation.network_id, pk=person_id)
    )


def chosen_colleagues(invitation: NetworkInvitation) -> list[dict[str, object]]:
    """The colleagues the respondent has answered about, with their answers by relation."""
    rows = (
        Nomination.objects.filter(wave_id=invitation.wave_id, ego_id=invitation.person_id)
        .select_related("alter__organisation")
        .order_by("alter__name", "alter_id")
    )
    chosen: dict[int, dict[str, object]] = {}
    for row in rows:
        entry = chosen.setdefault(
            row.alter_id,
            {"person": row.alter, "answers": {}, "ref": colleague_ref(invitation, row.alter_id)},
        )
        entry["answers"][row.relation] = int(row.weight)  # type: ignore[index]
    return list(chosen.values())


def roles_invitations_for(network: Network) -> QuerySet[RolesInvitation]:
    return RolesInvitation.objects.filter(network=network).select_related("person")


def wave_respondents(wave: NetworkWave) -> QuerySet[Person]:
    """The people the wave asks: eligible people (active, with an email) of its
    organisations, or of the whole directory when none is chosen."""
    people = Person.objects.filter(network=wave.network)
    organisations = list(wave.organisations.all())
    if organisations:
        people = people.filter(organisation__in=organisations)
    return eligible_people(people).order_by("pk")
