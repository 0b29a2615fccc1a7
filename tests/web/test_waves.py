"""The shared survey-wave layer (:mod:`bridgework.waves`), tested through both instruments:
invitations, links, reminders, the reminder schedule, the closed-wave error and progress with
small counts hidden from analysts."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.directory.models import Network, Organisation, Person, Workgroup
from bridgework.mail.models import OutboxMessage
from bridgework.ona import selectors as network_selectors
from bridgework.ona import services as network_services
from bridgework.ona.models import NetworkInvitation, RolesInvitation
from bridgework.surveys import selectors as survey_selectors
from bridgework.surveys import services as survey_services
from bridgework.surveys.models import Invitation
from bridgework.waves import services as waves
from bridgework.waves.selectors import Progress, ProgressRow
from bridgework.waves.services import WaveClosedError


@dataclass
class Team:
    network: Network
    organisation: Organisation
    workgroup: Workgroup
    people: list[Person]  # the four who can be asked
    skipped: list[Person]  # inactive, no email, an email of spaces


@pytest.fixture
def team(network_a: Network) -> Team:
    organisation = Organisation.objects.create(network=network_a, name="Harbour Trust")
    workgroup = Workgroup.objects.create(network=network_a, name="Care planners")

    def person(name: str, email: str, *, active: bool = True) -> Person:
        return Person.objects.create(
            network=network_a,
            name=name,
            email=email,
            active=active,
            organisation=organisation,
            workgroup=workgroup,
        )

    people = [person(f"Planner {i}", f"planner{i}@harbour.example") for i in range(4)]
    skipped = [
        person("Moved On", "moved@harbour.example", active=False),
        person("No Email", ""),
        person("Only Spaces", "   "),
    ]
    return Team(network_a, organisation, workgroup, people, skipped)


@dataclass(frozen=True)
class Instrument:
    """One instrument as the tests drive it: its wave kind, how to make a wave, its own
    invite and remind services, and one answer of a respondent."""

    name: str
    kind: waves.WaveKind
    make_wave: Callable[[Team, datetime, datetime], Any]
    invite: Callable[..., int]
    remind: Callable[..., int]
    answer: Callable[[Any, Team], object]
    link_prefix: str
    invitation_for_token: Callable[[str], Any]


def _rc_wave(team: Team, opens_at: datetime, closes_at: datetime):
    process = survey_services.work_process_create(
        network=team.network, name="Discharge", workgroups=[team.workgroup]
    )
    return survey_services.wave_create(
        process=process,
        name="Spring",
        opens_at=opens_at,
        closes_at=closes_at,
        respondent_workgroups=[team.workgroup],
    )


def _rc_answer(invitation, team: Team):
    return survey_services.response_save(
        invitation=invitation,
        target=f"wg:{team.workgroup.pk}",
        works_with=True,
        scores=dict.fromkeys(DIMENSIONS, 3),
    )


def _network_wave(team: Team, opens_at: datetime, closes_at: datetime):
    return network_services.network_wave_create(
        network=team.network,
        name="Map",
        opens_at=opens_at,
        closes_at=closes_at,
        organisations=[team.organisation],
    )


def _network_answer(invitation, team: Team):
    alter = next(p for p in team.people if p.pk != invitation.person_id)
    return network_services.colleague_save(
        invitation=invitation, alter=alter, ratings={"works_with": 3, "trust": 4, "energy": 5}
    )


RC = Instrument(
    name="rc",
    kind=survey_services.RC_WAVES,
    make_wave=_rc_wave,
    invite=survey_services.invitations_create,
    remind=survey_services.reminders_send,
    answer=_rc_answer,
    link_prefix="/s/",
    invitation_for_token=survey_selectors.invitation_for_token,
)
NETWORK = Instrument(
    name="network",
    kind=network_services.NETWORK_WAVES,
    make_wave=_network_wave,
    invite=network_services.network_invitations_create,
    remind=network_services.network_reminders_send,
    answer=_network_answer,
    link_prefix="/m/",
    invitation_for_token=network_selectors.invitation_for_token,
)


@pytest.fixture(params=[RC, NETWORK], ids=lambda i: i.name)
def instrument(request) -> Instrument:
    return request.param


def _open_wave(instrument: Instrument, team: Team, *, opened_days_ago: int = 2):
    now = timezone.now()
    return instrument.make_wave(
        team, now - timedelta(days=opened_days_ago), now + timedelta(days=10)
    )


def _emails(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("pk"))


@pytest.mark.django_db
def test_inviting_twice_makes_no_second_invitation_or_email(instrument, team):
    wave = _open_wave(instrument, team)
    assert instrument.invite(wave=wave) == 4
    assert instrument.invite(wave=wave) == 0
    assert waves.invitations_create(kind=instrument.kind, wave=wave) == 0
    assert wave.invitations.count() == 4
    sent = _emails(instrument.kind.invitation_kind)
    assert sorted(m.to for m in sent) == sorted(p.email for p in team.people)
    assert {m.idempotency_key for m in sent} == {
        f"{instrument.kind.invitation_kind}:{i.pk}:0" for i in wave.invitations.all()
    }
    assert all(i.sent_at is not None for i in wave.invitations.all())


@pytest.mark.django_db
def test_each_invitation_email_carries_a_working_personal_link(instrument, team):
    wave = _open_wave(instrument, team)
    instrument.invite(wave=wave)
    for message in _emails(instrument.kind.invitation_kind):
        token = re.search(re.escape(instrument.link_prefix) + r"([^/\s]+)/", message.text_body)
        invitation = instrument.invitation_for_token(token.group(1))
        assert invitation.person.email == message.to
        assert invitation.wave_id == wave.pk
        # Only the digest is stored.
        assert not invitation.tokens.filter(digest=token.group(1)).exists()


@pytest.mark.django_db
def test_inactive_and_blank_email_people_are_never_invited(instrument, team):
    wave = _open_wave(instrument, team)
    kind = instrument.kind
    assert kind.respondents(wave).count() == 4
    instrument.invite(wave=wave)
    invited = set(wave.invitations.values_list("person_id", flat=True))
    assert invited == {p.pk for p in team.people}
    assert not invited & {p.pk for p in team.skipped}
    assert len(_emails(kind.invitation_kind)) == 4


@pytest.mark.django_db
def test_the_roles_self_assessment_skips_the_same_people(team):
    count = network_services.roles_invitations_create(network=team.network)
    asked = set(RolesInvitation.objects.values_list("person_id", flat=True))
    assert not asked & {p.pk for p in team.skipped}
    assert {p.pk for p in team.people} <= asked
    assert count == len(asked) == len(_emails("roles-invitation"))
    assert network_services.roles_invitations_create(network=team.network) == 0


@pytest.mark.django_db
def test_an_invitation_run_that_loses_a_race_starts_over(team):
    wave = _open_wave(NETWORK, team)
    raced = []

    def snapshot(person: Person) -> dict[str, Any]:
        if not raced:  # another run invites this person between our read and our write
            raced.append(
                NetworkInvitation.objects.create(network=team.network, wave=wave, person=person)
            )
        return {}

    kind = dataclasses.replace(NETWORK.kind, snapshot=snapshot)
    assert waves.invitations_create(kind=kind, wave=wave) == 4
    assert raced
    assert wave.invitations.count() == 4
    assert len(_emails(kind.invitation_kind)) == 4


@pytest.mark.django_db
def test_invitations_are_written_set_based(instrument, team, network_a):
    wave = _open_wave(instrument, team)
    with CaptureQueriesContext(connection) as few:
        instrument.invite(wave=wave, send=False)
    for i in range(30):
        Person.objects.create(
            network=network_a,
            name=f"Newcomer {i}",
            email=f"new{i}@harbour.example",
            organisation=team.organisation,
            workgroup=team.workgroup,
        )
    with CaptureQueriesContext(connection) as many:
        assert instrument.invite(wave=wave, send=False) == 30
    assert len(many) == len(few)


@pytest.mark.django_db
def test_reminders_go_only_to_those_not_finished_and_still_reachable(instrument, team):
    wave = _open_wave(instrument, team)
    instrument.invite(wave=wave)
    invitations = list(wave.invitations.order_by("pk"))
    finished, started, left = invitations[0], invitations[1], invitations[2]
    type(finished).objects.filter(pk=finished.pk).update(completed_at=timezone.now())
    instrument.answer(started, team)  # started but not finished: still reminded
    Person.objects.filter(pk=left.person_id).update(active=False)

    assert instrument.remind(wave=wave) == 2
    reminded = {m.to for m in _emails(instrument.kind.reminder_kind)}
    assert reminded == {started.person.email, invitations[3].person.email}
    assert instrument.remind(wave=wave) == 0  # a double click reminds nobody twice
    started.refresh_from_db()
    assert started.reminders_sent == 1
    assert started.last_reminded_at is not None
    assert {m.idempotency_key for m in _emails(instrument.kind.reminder_kind)} == {
        f"{instrument.kind.reminder_kind}:{started.pk}:1",
        f"{instrument.kind.reminder_kind}:{invitations[3].pk}:1",
    }
    # Each reminder adds a link; the invitation's first one keeps working.
    assert started.tokens.count() == 2
    wave.refresh_from_db()
    assert wave.last_reminders_at is not None


@pytest.mark.django_db
def test_reminder_schedule_counts_from_opening_then_from_the_last_round(instrument, team):
    wave = _open_wave(instrument, team, opened_days_ago=2)
    type(wave).objects.filter(pk=wave.pk).update(reminder_every_days=3)
    wave.refresh_from_db()
    instrument.invite(wave=wave)
    now = timezone.now()
    assert not wave.reminders_due(now)
    assert wave.reminders_due(now + timedelta(days=1, hours=1))
    assert waves.reminders_send_due(kind=instrument.kind, now=now) == 0
    later = now + timedelta(days=1, hours=1)
    assert waves.reminders_send_due(kind=instrument.kind, now=later) == 4
    wave.refresh_from_db()
    assert not wave.reminders_due(later)  # the round just sent
    assert wave.reminders_due(wave.last_reminders_at + timedelta(days=3))
    assert not wave.reminders_due(wave.closes_at)  # never once closed


@pytest.mark.django_db
def test_a_closed_wave_refuses_answers_and_invitations_with_one_error(instrument, team):
    wave = _open_wave(instrument, team)
    instrument.invite(wave=wave, send=False)
    invitation = wave.invitations.select_related("wave__network").first()
    instrument.answer(invitation, team)  # open: accepted
    type(wave).objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    invitation.wave.refresh_from_db()
    with pytest.raises(WaveClosedError):
        instrument.answer(invitation, team)
    wave.refresh_from_db()
    with pytest.raises(WaveClosedError):
        instrument.invite(wave=wave)
    assert instrument.remind(wave=wave) == 0
    assert not _emails(instrument.kind.reminder_kind)


def _answer_counts_cannot_be_pinned(rows: tuple[ProgressRow, ...], overall: ProgressRow, k: int):
    """No group under ``k`` shows its count, and the total minus the shown counts covers at
    least two groups holding at least ``k`` between them."""
    hidden = [r for r in rows if r.hidden]
    assert all(r.hidden for r in rows if r.below_minimum)
    if hidden:
        assert len(hidden) >= 2
        assert overall.answered - sum(r.answered for r in rows if not r.hidden) >= k


@pytest.fixture
def three_groups(network_a: Network):
    """An RC wave over three workgroups in three organisations: 6, 6 and 2 people, all of
    whom have answered and finished."""
    sizes = {"Nurses": ("North Trust", 6), "Planners": ("South Trust", 6), "Court": ("East", 2)}
    groups = []
    for name, (org_name, size) in sizes.items():
        org = Organisation.objects.create(network=network_a, name=org_name)
        group = Workgroup.objects.create(network=network_a, name=name)
        groups.append(group)
        for i in range(size):
            Person.objects.create(
                network=network_a,
                name=f"{name} {i}",
                email=f"{name.lower()}{i}@three.example",
                organisation=org,
                workgroup=group,
            )
    process = survey_services.work_process_create(
        network=network_a, name="Reunification", workgroups=groups
    )
    now = timezone.now()
    wave = survey_services.wave_create(
        process=process,
        name="Autumn",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=3),
        respondent_workgroups=groups,
    )
    survey_services.invitations_create(wave=wave, send=False)
    Invitation.objects.filter(wave=wave).update(started_at=now, completed_at=now)
    return wave


def _row_cells(html: str, name: str) -> list[str]:
    row = html.split(f'<th scope="row" class="govuk-table__header">{name}</th>', 1)[1]
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">\s*(.*?)\s*</td>', row, re.S)
    return cells[:4]


@pytest.mark.django_db
def test_analysts_cannot_see_or_derive_small_rc_group_counts(three_groups):
    progress: Progress = survey_selectors.wave_progress(three_groups, small_counts=False)
    assert (progress.overall.invited, progress.overall.answered) == (14, 14)
    for rows in (progress.by_workgroup, progress.by_organisation):
        assert len(rows) == 3
        small = next(r for r in rows if r.invited == 2)
        assert small.hidden
        assert small.answered is None
        assert small.completed is None
        assert small.percent is None
        # Not flagged as small either: "hidden, but not small" would tell the others apart.
        assert not small.below_minimum
        _answer_counts_cannot_be_pinned(rows, progress.overall, k=5)

    coordinator = survey_selectors.wave_progress(three_groups, small_counts=True)
    assert {r.name: r.completed for r in coordinator.by_workgroup} == {
        "Court": 2,
        "Nurses": 6,
        "Planners": 6,
    }
    assert {r.name: r.answered for r in coordinator.by_organisation}["East"] == 2


@pytest.mark.django_db
def test_rc_progress_pages_hide_small_counts_from_analysts_only(
    three_groups, analyst, coordinator, network_a
):
    url = f"/n/{network_a.slug}/surveys/waves/{three_groups.pk}/progress/"
    page = analyst.get(url).content.decode()
    assert _row_cells(page, "Court") == ["2", "–", "–", "–"]
    assert _row_cells(page, "East") == ["2", "–", "–", "–"]
    assert "14 of 14 invited have finished" in page
    hidden = [n for n in ("Nurses", "Planners", "Court") if _row_cells(page, n)[1] == "–"]
    assert len(hidden) == 2  # or 14 − 6 − 6 would give the Court's count
    assert "so that its count cannot be worked out from the total" in page

    page = coordinator.get(url).content.decode()
    assert _row_cells(page, "Court") == ["2", "2", "2", "100%"]
    assert _row_cells(page, "East") == ["2", "2", "2", "100%"]
    assert _row_cells(page, "Nurses") == ["6", "6", "6", "100%"]


@pytest.mark.django_db
def test_overall_counts_under_the_minimum_are_hidden_from_analysts(
    instrument, team, analyst, coordinator
):
    wave = _open_wave(instrument, team)
    instrument.invite(wave=wave, send=False)
    first = wave.invitations.select_related("wave__network").first()
    instrument.answer(first, team)  # one of four answered
    if instrument is RC:
        url = f"/n/{team.network.slug}/surveys/waves/{wave.pk}/"
        progress = survey_selectors.wave_progress(wave, small_counts=False)
    else:
        url = f"/n/{team.network.slug}/networks/waves/{wave.pk}/"
        progress = network_selectors.network_wave_progress(wave, small_counts=False)
    assert progress.overall.hidden
    assert progress.overall.invited == 4
    assert all(r.hidden for r in progress.by_organisation)
    page = analyst.get(url).content.decode()
    assert "4 invited; fewer than 5 have answered, so the counts are not shown" in page
    page = coordinator.get(url).content.decode()
    assert "fewer than 5 have answered, so the counts are not shown" not in page
    assert "of 4 invited have" in page


def _imported_modules(package: Path) -> set[str]:
    found: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_the_wave_layer_sits_under_the_instruments():
    src = Path(waves.__file__).resolve().parents[1]
    below = _imported_modules(src / "waves")
    assert not {m for m in below if m.startswith(("bridgework.surveys", "bridgework.ona"))}
    network_imports = _imported_modules(src / "ona")
    assert network_imports  # the network-survey app is read, not a folder that is not there
    assert not {m for m in network_imports if m.startswith("bridgework.surveys")}
    # RC and network waves confirm their actions on the wave layer's one page.
    for app in ("surveys", "ona"):
        assert "bridgework.waves.views" in _imported_modules(src / app / "views")
        assert not (src / "templates" / app / "waves" / "confirm.html").exists()


#: An instrument's wave pages, under /n/<network>/….
WAVE_PAGES = {"rc": "surveys/waves", "network": "networks/waves"}


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["invite", "remind", "close"])
def test_every_wave_action_is_confirmed_on_one_page_and_done_by_post(
    instrument, team, coordinator, action, django_capture_on_commit_callbacks
):
    wave = _open_wave(instrument, team)
    base = f"/n/{team.network.slug}/{WAVE_PAGES[instrument.name]}/{wave.pk}/"
    page = coordinator.get(f"{base}{action}/").content.decode()
    # The confirmation: back to the wave, a button, a way out; nothing done yet.
    assert f'href="{base}"' in page
    assert page.count(f'href="{base}"') == 2  # the back link and Cancel
    assert 'data-prevent-double-click="true">' in page
    assert wave.invitations.count() == 0
    wave.refresh_from_db()
    assert wave.is_open
    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator.post(f"{base}{action}/")
    assert done.status_code == 302
    wave.refresh_from_db()
    if action == "close":
        assert done["Location"] == base
        assert wave.is_closed
    else:
        assert "/jobs/" in done["Location"]
        assert wave.is_open


@pytest.mark.django_db
def test_a_closed_network_wave_explains_instead_of_offering_the_button(team, coordinator):
    now = timezone.now()
    wave = NETWORK.make_wave(team, now - timedelta(days=3), now - timedelta(days=1))
    base = f"/n/{team.network.slug}/networks/waves/{wave.pk}/"
    for action, reason, button in (
        ("invite", "no more invitations can be sent", "Send invitations"),
        ("remind", "Reminders can only be sent while the survey is open", "Send reminders"),
        ("close", "This survey has already closed", "Close now"),
    ):
        page = coordinator.get(f"{base}{action}/").content.decode()
        assert reason in page
        assert f">{button}</button>" not in page
        assert "Cancel" not in page


@pytest.mark.django_db
def test_closing_an_rc_wave_is_confirmed_as_a_warning(team, coordinator):
    wave = _open_wave(RC, team)
    page = coordinator.get(f"/n/{team.network.slug}/surveys/waves/{wave.pk}/close/")
    html = page.content.decode()
    assert "govuk-warning-text" in html
    assert "govuk-button--warning" in html
    assert "no more answers are taken" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "inside", "outside", "message"),
    [
        ("reminder_every_days", (0, 60), (61,), "every 0 to 60 days"),
        ("min_group_size", (3, 100), (2, 101), "a whole number from 3 to 100"),
    ],
)
def test_a_wave_setting_has_one_bound_kept_by_services_and_the_database(
    instrument, team, setting, inside, outside, message
):
    """Each bounded setting is refused beyond its bound by the services (the field's
    validators) and by the database (a check constraint), on both instruments."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    wave = _open_wave(instrument, team)
    model = type(wave)
    update = (
        survey_services.wave_update if instrument is RC else network_services.network_wave_update
    )
    fields = {
        "name": wave.name,
        "opens_at": wave.opens_at,
        "closes_at": wave.closes_at,
        "min_group_size": wave.min_group_size,
        "reminder_every_days": wave.reminder_every_days,
    }
    if instrument is RC:
        fields |= {"respondent_workgroups": [team.workgroup], "live_results": False}
    for value in inside:
        update(wave=wave, **(fields | {setting: value}))
        assert getattr(model.objects.get(pk=wave.pk), setting) == value
    for value in outside:
        with pytest.raises(ValidationError, match=message):
            update(wave=wave, **(fields | {setting: value}))
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=wave.pk).update(**{setting: value})
    assert getattr(model.objects.get(pk=wave.pk), setting) == inside[-1]


@pytest.mark.parametrize(
    ("migration", "step", "model", "field", "bound"),
    [
        (
            "surveys.migrations.0004_reminder_rhythm_bound",
            "longest_rhythm",
            ("surveys", "Wave"),
            "reminder_every_days",
            60,
        ),
        (
            "ona.migrations.0007_reminder_rhythm_bound",
            "longest_rhythm",
            ("networks", "NetworkWave"),
            "reminder_every_days",
            60,
        ),
        (
            "directory.migrations.0006_min_group_size_bound",
            "largest_minimum",
            ("directory", "Network"),
            "min_group_size",
            100,
        ),
        (
            "surveys.migrations.0005_min_group_size_bound",
            "largest_minimum",
            ("surveys", "Wave"),
            "min_group_size",
            100,
        ),
        (
            "ona.migrations.0008_min_group_size_bound",
            "largest_minimum",
            ("networks", "NetworkWave"),
            "min_group_size",
            100,
        ),
    ],
)
def test_a_bound_s_migration_brings_values_beyond_it_to_the_bound(
    migration, step, model, field, bound
):
    """The database refuses a value beyond the bound, so each data step is run on a record of
    what it asks of the historical model."""
    import importlib

    module = importlib.import_module(f"bridgework.{migration}")
    asked = []

    class Rows:
        def filter(self, **condition):
            asked.append(("filter", condition))
            return self

        def update(self, **values):
            asked.append(("update", values))
            return 0

    class Model:
        objects = Rows()

    class Apps:
        def get_model(self, app, name):
            asked.append(("model", (app, name)))
            return Model

    getattr(module, step)(Apps(), None)
    assert asked == [
        ("model", model),
        ("filter", {f"{field}__gt": bound}),
        ("update", {field: bound}),
    ]


@pytest.mark.django_db
def test_a_wave_s_minimum_group_size_is_audited_when_set_and_when_changed(instrument, team):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from bridgework.audit.models import Action, AuditEvent
    from bridgework.waves.views import min_group_size_audit

    request = RequestFactory().post("/")
    request.network, request.user = team.network, AnonymousUser()
    wave = _open_wave(instrument, team)
    min_group_size_audit(request, wave, before=None)
    min_group_size_audit(request, wave, before=wave.min_group_size)  # unchanged: nothing
    before, wave.min_group_size = wave.min_group_size, 8
    min_group_size_audit(request, wave, before=before)
    events = AuditEvent.objects.filter(action=Action.MIN_GROUP_SIZE_CHANGED).order_by("pk")
    assert [e.details for e in events] == [
        {"from": None, "to": before},
        {"from": before, "to": 8},
    ]
    assert {e.object_id for e in events} == {str(wave.pk)}
