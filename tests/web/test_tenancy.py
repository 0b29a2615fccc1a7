"""Every URL pattern is scoped to its network: another network's slug or records answer 404.

The test walks the URL configuration, so a page added later without ``network_view`` fails here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bridgework.directory.models import Network, PeopleImport

#: Patterns deliberately reachable without a network.
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:accept_invitation",
    "web:home",
    "web:switch_network",
    "respond:start",
    "respond:step",
    "respond:done",
    "network_respond:start",
    "network_respond:search",
    "network_respond:colleague",
    "network_respond:outside",
    "network_respond:done",
    "roles_respond:start",
    "coffee:join",
    "coffee:join_sent",
    "coffee:privacy",
    "coffee:confirm",
    "coffee:me",
    "coffee:preferences",
    "coffee:pause",
    "coffee:resume",
    "coffee:leave",
    "coffee:feedback",
}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback


ALL_PATTERNS = list(walk(get_resolver()))


def record_ids(network: Network) -> dict[str, int]:
    """One record of each kind in ``network``, for filling ``<int:pk>`` by URL name."""
    upload = PeopleImport.objects.create(network=network, filename="x.csv", content=b"name,email\n")
    return {
        "people": network.people.first().pk,
        "organisations": network.organisations.first().pk,
        "teams": network.teams.first().pk,
        "workgroups": network.workgroups.first().pk,
        "imports": upload.pk,
        "outbox": _outbox_id(network),
        "members": _invitation_id(network),
        **_survey_ids(network),
        **_network_ids(network),
        **_programme_ids(network),
        "jobs": _job_id(network),
    }


def _job_id(network: Network) -> int:
    """A finished job: inviting the directory to the roles self-assessment."""
    from bridgework.jobs.models import Job

    return Job.objects.create(
        network=network,
        kind="roles-invitations",
        target_id=network.pk,
        status=Job.Status.DONE,
        done=2,
        total=2,
        outcome="Sent 2 links.",
    ).pk


def _programme_ids(network: Network) -> dict[str, int]:
    """A programme with one drawn round (two people), and a guide."""
    from bridgework.programmes.services import enrol_audience, programme_create, round_create

    programme = programme_create(network=network, name="Coffee", audience="network")
    enrol_audience(programme=programme)
    round_ = round_create(programme=programme, seed=1)
    return {"programmes": programme.pk, "rounds": round_.pk, "guides": programme.guide_id}


def _network_ids(network: Network) -> dict[str, int]:
    """A closed network wave with one nomination, and an uploaded nominations file."""
    from datetime import timedelta

    from django.utils import timezone

    from bridgework.networks.models import NetworkWave, Nomination, NominationImport

    now = timezone.now()
    wave = NetworkWave.objects.create(
        network=network, name="Map", opens_at=now - timedelta(days=9), closes_at=now
    )
    ego, alter = network.people.all()[:2]
    Nomination.objects.create(
        network=network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=3
    )
    upload = NominationImport.objects.create(
        network=network, wave=wave, filename="n.csv", content=b"ego,alter\n"
    )
    return {"nwaves": wave.pk, "nimports": upload.pk}


def _survey_ids(network: Network) -> dict[str, int]:
    """A work process and an open wave (results shown live) with one answer."""
    from datetime import timedelta

    from django.utils import timezone

    from bridgework.surveys.models import Invitation, Response, Wave, WorkProcess

    process = WorkProcess.objects.create(network=network, name="Discharge")
    workgroup = network.workgroups.first()
    process.workgroups.add(workgroup)
    now = timezone.now()
    wave = Wave.objects.create(
        network=network,
        work_process=process,
        name="Spring",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=5),
        live_results=True,
    )
    wave.respondent_workgroups.add(workgroup)
    person = network.people.first()
    invitation = Invitation.objects.create(
        network=network, wave=wave, person=person, workgroup=workgroup
    )
    Response.objects.create(invitation=invitation, target=f"wg:{workgroup.pk}", timely=4)
    return {"processes": process.pk, "waves": wave.pk}


def _invitation_id(network: Network) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from bridgework.accounts.models import CoordinatorInvitation

    return CoordinatorInvitation.objects.create(
        network=network,
        email="new@example.org",
        role="coordinator",
        token_digest=f"{network.slug:0<64}",
        expires_at=timezone.now() + timedelta(days=1),
    ).pk


def _outbox_id(network: Network) -> int:
    from bridgework.mail.models import OutboxMessage

    return OutboxMessage.objects.create(
        network=network, to="x@example.org", subject="s", text_body="b"
    ).pk


def fill(route: str, slug: str, name: str, ids: dict[str, int]) -> str:
    kind = next((k for k in ids if name.split(":")[1].startswith(k)), None)
    if name.startswith("mail:"):
        kind = "outbox"
    url = "/" + route.replace("<slug:network>", slug)
    if "<int:pk>" in url:
        assert kind is not None, f"no record kind known for {name}"
        url = url.replace("<int:pk>", str(ids[kind]))
    assert "<" not in url, f"unfilled parameter in {url}"
    return url


def test_every_pattern_is_network_scoped_or_listed_public():
    for name, route, callback in ALL_PATTERNS:
        scoped = getattr(callback, "network_scoped", False)
        if name in PUBLIC:
            assert not scoped
        else:
            assert scoped, f"{name} ({route}) is not wrapped by network_view"
            assert "<slug:network>" in route, f"{name} has no network in its URL"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_networks_slug_and_records_answer_404(network_a, network_b, owner, method):
    ids_b = record_ids(network_b)
    ids_a = record_ids(network_a)
    scoped = [(n, r) for n, r, _ in ALL_PATTERNS if n not in PUBLIC]
    assert len(scoped) >= 15
    for name, route in scoped:
        # The other network's slug: 404 whatever the record.
        url = fill(route, network_b.slug, name, ids_b)
        response = getattr(owner, method)(url)
        assert response.status_code == 404, f"{method} {url} ({name}) gave {response.status_code}"
        # Our slug with the other network's record id: 404 too.
        if "<int:pk>" in route:
            url = fill(route, network_a.slug, name, ids_b)
            foreign = getattr(owner, method)(url).status_code
            own = getattr(owner, method)(fill(route, network_a.slug, name, ids_a)).status_code
            if foreign == 405:
                # A POST-only page refuses GET before looking anything up: the same answer
                # for every id, so nothing about the other network is revealed.
                assert own == 405, url
                continue
            assert foreign == 404, f"{method} {url} ({name}) gave {foreign}"
            # ...while our own record is found (the test would pass vacuously otherwise).
            assert own != 404, url


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(network_a):
    ids = record_ids(network_a)
    for name, route, _ in ALL_PATTERNS:
        if name in PUBLIC:
            continue
        response = Client().get(fill(route, network_a.slug, name, ids))
        assert response.status_code == 302
        assert re.match(r"^/accounts/login/\?next=", response["Location"])
