"""Every list page is paginated, and makes the same number of queries with many rows as with
few (each page checked at two sizes, tests/queries.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bridgework.accounts.models import User
from bridgework.audit.models import Action
from bridgework.audit.services import audit_record
from bridgework.directory.models import Membership, Organisation, Person, Team, Workgroup
from bridgework.jobs.models import Job
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import services
from bridgework.programmes.models import Round
from bridgework.web import pagination
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

#: Rows per page while a test checks the pagination (the sizes it grows to are larger).
SMALL_PAGE = 2


def ok(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def topping_up(model, make):
    """``grow(size)``: add rows made by ``make(i)`` until ``model`` has ``size`` of them."""

    def grow(size: int) -> None:
        for i in range(model.objects.count(), size):
            make(i)

    return grow


def check(client, url: str, grow, monkeypatch, *, nav: str = "Page 1 of") -> None:
    assert_queries_do_not_grow(grow=grow, page=lambda: ok(client.get(url)))
    monkeypatch.setattr(pagination, "PAGE_SIZE", SMALL_PAGE)
    assert nav in ok(client.get(url))


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("organisations", lambda n, i: Organisation.objects.create(network=n, name=f"Org {i}")),
        ("workgroups", lambda n, i: Workgroup.objects.create(network=n, name=f"Group {i}")),
        (
            "teams",
            lambda n, i: Team.objects.create(
                network=n, organisation=n.organisations.first(), name=f"Team {i}"
            ),
        ),
    ],
)
def test_group_lists(coordinator, network_a, monkeypatch, kind, make):
    model = {"organisations": Organisation, "workgroups": Workgroup, "teams": Team}[kind]

    def person_in(obj):  # every row has someone in it, so its count is really read
        field = {"organisations": "organisation", "workgroups": "workgroup", "teams": "team"}
        Person.objects.create(
            network=network_a,
            name=f"In {obj.name}",
            email=f"in-{kind}-{obj.pk}@alpha.example",
            **{field[kind]: obj},
        )

    grow = topping_up(model, lambda i: person_in(make(network_a, i)))
    check(coordinator, f"/n/{network_a.slug}/{kind}/", grow, monkeypatch)


def test_members_list(owner, network_a, monkeypatch):
    def make(i: int) -> None:
        user = User.objects.create_user(f"member{i}@alpha.example", "x-unused-password-1")
        Membership.objects.create(user=user, network=network_a, role="analyst")

    check(owner, f"/n/{network_a.slug}/members/", topping_up(Membership, make), monkeypatch)


def test_jobs_list(coordinator, network_a, monkeypatch):
    user = User.objects.get(email="coord@alpha.example")

    def make(i: int) -> None:
        Job.objects.create(
            network=network_a,
            kind="rc-invitations" if i % 2 else "round-publish",
            target_id=i + 1,
            status=Job.Status.DONE if i % 3 else Job.Status.FAILED,
            done=i,
            total=i,
            outcome=f"Sent {i} invitations.",
            requested_by=user if i % 2 else None,
        )

    check(coordinator, f"/n/{network_a.slug}/jobs/", topping_up(Job, make), monkeypatch)
    page = ok(coordinator.get(f"/n/{network_a.slug}/jobs/"))
    assert "Publishing the round" in page
    assert "coord@alpha.example" in page


def test_audit_log(owner, network_a, monkeypatch):
    from bridgework.audit.models import AuditEvent

    def make(i: int) -> None:
        audit_record(network=network_a, action=Action.EXPORT_DOWNLOADED, details={"n": i})

    url = f"/n/{network_a.slug}/audit/"
    assert_queries_do_not_grow(
        grow=topping_up(AuditEvent, make), page=lambda: ok(owner.get(url)), sizes=(3, 60)
    )
    assert "Page 1 of" in ok(owner.get(url))  # 50 a page


def test_outbox(coordinator, network_a, monkeypatch):
    def make(i: int) -> None:
        OutboxMessage.objects.create(
            network=network_a, to=f"p{i}@alpha.example", subject=f"Hello {i}", text_body="x"
        )

    url = f"/n/{network_a.slug}/outbox/"
    assert_queries_do_not_grow(
        grow=topping_up(OutboxMessage, make), page=lambda: ok(coordinator.get(url)), sizes=(3, 60)
    )
    assert "Page 1 of" in ok(coordinator.get(url))


@pytest.fixture
def programme(network_a):
    programme = services.programme_create(
        network=network_a, name="Coffee", audience="network", holdout_share=0.3
    )
    return programme


def _enrol(network, programme, size: int) -> None:
    for i in range(Person.objects.filter(network=network).count(), size):
        Person.objects.create(
            network=network,
            name=f"Person {i}",
            email=f"p{i}@alpha.example",
            organisation=network.organisations.first() if i % 2 else None,
        )
    services.enrol_audience(programme=programme)


def test_programme_page_rounds_and_people(coordinator, network_a, programme, monkeypatch):
    def grow(size: int) -> None:
        _enrol(network_a, programme, size)
        start = date(2026, 1, 5)
        for number in range(programme.rounds.count() + 1, size + 1):
            begins = start + timedelta(days=14 * number)
            Round.objects.create(
                network=network_a,
                programme=programme,
                number=number,
                starts_on=begins,
                ends_on=begins + timedelta(days=14),
                seed=number,
                status=Round.Status.PUBLISHED,
            )

    url = f"/n/{network_a.slug}/coffee/{programme.pk}/"
    check(coordinator, url, grow, monkeypatch)
    page = ok(coordinator.get(url))
    assert 'aria-label="Pages of rounds"' in page
    assert 'aria-label="Pages of people taking part"' in page
    assert "rounds_page=2" in page
    assert "people_page=2" in page


def test_round_page_matches_and_holdout(coordinator, network_a, programme, monkeypatch):
    current: dict[str, str] = {}

    def grow(size: int) -> None:
        _enrol(network_a, programme, 2 * size)
        Round.objects.filter(programme=programme).delete()
        round_ = services.round_create(programme=programme, seed=3)
        current["url"] = f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/"

    assert_queries_do_not_grow(grow=grow, page=lambda: ok(coordinator.get(current["url"])))
    monkeypatch.setattr(pagination, "PAGE_SIZE", SMALL_PAGE)
    page = ok(coordinator.get(current["url"]))
    assert 'aria-label="Pages of matches"' in page
    assert 'aria-label="Pages of people held out"' in page
    second = ok(coordinator.get(current["url"] + "?page=2"))
    assert "Page 2 of" in second


@pytest.mark.parametrize("path", ["", "progress/"])
def test_rc_wave_page_and_progress_with_invited_people(coordinator, network_a, path):
    """A wave's page and its progress page show counts by group, never a row per invitee."""
    from bridgework.surveys.models import Wave
    from bridgework.surveys.services import invitations_create
    from tests.factories import make_wave

    wave = make_wave(network_a, 0)
    group = wave.respondent_workgroups.first()

    def grow(size: int) -> None:
        for i in range(Person.objects.filter(email__endswith="@grow.example").count(), size):
            Person.objects.create(
                network=network_a, name=f"G {i}", email=f"g{i}@grow.example", workgroup=group
            )
        invitations_create(wave=Wave.objects.get(pk=wave.pk), send=False)

    url = f"/n/{network_a.slug}/surveys/waves/{wave.pk}/{path}"
    assert_queries_do_not_grow(grow=grow, page=lambda: ok(coordinator.get(url)))
