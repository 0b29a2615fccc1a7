"""Network waves for coordinators: create, edit until close, invitations, reminders (on demand
and scheduled) and the response rate with its warning."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bridgework.directory.models import Organisation, Person
from bridgework.mail.models import OutboxMessage
from bridgework.ona import selectors, services
from bridgework.ona.models import NetworkInvitation, NetworkInvitationToken, NetworkWave
from bridgework.ona.tasks import send_due_network_reminders
from bridgework.waves.services import WaveClosedError
from tests.queries import assert_queries_do_not_grow


@pytest.fixture
def crowd(network_a):
    """Ten people in two organisations (eight in the first, two in a second)."""
    first = network_a.organisations.first()
    second = Organisation.objects.create(network=network_a, name="Second Agency")
    for i in range(8):
        org = first if i < 6 else second
        Person.objects.create(
            network=network_a, name=f"Pat Example {i}", email=f"p{i}@a.example", organisation=org
        )
    return network_a


def _open_wave(network, **fields) -> NetworkWave:
    now = timezone.now()
    return services.network_wave_create(
        network=network,
        name=fields.pop("name", "Map"),
        opens_at=fields.pop("opens_at", now - timedelta(days=2)),
        closes_at=fields.pop("closes_at", now + timedelta(days=10)),
        **fields,
    )


def _links(kind: str) -> list[str]:
    return [
        re.search(r"/m/[^/\s]+/", m.text_body).group(0)
        for m in OutboxMessage.objects.filter(kind=kind).order_by("pk")
    ]


@pytest.mark.django_db
def test_coordinator_creates_a_wave_from_the_form(crowd, coordinator):
    org = crowd.organisations.get(name="Second Agency")
    response = coordinator.post(
        f"/n/{crowd.slug}/networks/new/",
        {
            "name": "Spring map",
            "opens_at": "2030-03-01 09:00",
            "closes_at": "2030-03-21 17:00",
            "organisations": [org.pk],
            "min_group_size": "5",
            "reminder_every_days": "4",
        },
    )
    wave = NetworkWave.objects.get(name="Spring map")
    assert response.status_code == 302
    assert list(wave.organisations.all()) == [org]
    assert wave.reminder_every_days == 4
    page = coordinator.get(response["Location"]).content.decode()
    assert "Second Agency (2 people with an email address)" in page
    assert "Every 4 days" in page


@pytest.mark.django_db
def test_edit_changes_name_dates_and_respondents_until_close(crowd, coordinator):
    wave = _open_wave(crowd)
    url = f"/n/{crowd.slug}/networks/waves/{wave.pk}/edit/"
    assert b'value="Map"' in coordinator.get(url).content
    org = crowd.organisations.get(name="Second Agency")
    form = {
        "name": "Map, renamed",
        "opens_at": "2030-01-01 09:00",
        "closes_at": "2030-02-01 17:00",
        "organisations": [org.pk],
        "min_group_size": "4",
        "reminder_every_days": "0",
    }
    assert coordinator.post(url, form).status_code == 302
    wave.refresh_from_db()
    assert (wave.name, wave.min_group_size) == ("Map, renamed", 4)
    assert wave.opens_at.year == 2030
    assert list(wave.organisations.all()) == [org]
    assert services.network_invitations_create(wave=wave, send=False) == 2

    # A closing date before the opening date is an error on the form, not a traceback.
    bad = coordinator.post(url, {**form, "closes_at": "2029-12-01 09:00"})
    assert bad.status_code == 200
    assert b"must close after it opens" in bad.content

    # A name another survey has (ignoring capitals) is an error on the form too.
    _open_wave(crowd, name="Taken")
    clash = coordinator.post(url, {**form, "name": "TAKEN"})
    assert clash.status_code == 200
    assert b"already exists" in clash.content

    # Once closed, the set-up is a record: the page says so and a POST changes nothing.
    services.network_wave_close(wave=_open_wave(crowd, name="Other"))
    closed = NetworkWave.objects.get(name="Other")
    closed_url = f"/n/{crowd.slug}/networks/waves/{closed.pk}/edit/"
    page = coordinator.get(closed_url)
    assert page.status_code == 200
    assert b"can no longer change" in page.content
    assert coordinator.post(closed_url, {**form, "name": "Sneaky"}).status_code == 302
    closed.refresh_from_db()
    assert closed.name == "Other"
    with pytest.raises(WaveClosedError):
        services.network_wave_update(
            wave=closed,
            name="Sneaky",
            opens_at=closed.opens_at,
            closes_at=closed.closes_at + timedelta(days=30),
            min_group_size=5,
        )


@pytest.mark.django_db
def test_analyst_cannot_edit_or_remind(crowd, analyst):
    wave = _open_wave(crowd)
    base = f"/n/{crowd.slug}/networks/waves/{wave.pk}/"
    assert analyst.get(base + "edit/").status_code == 403
    assert analyst.post(base + "remind/").status_code == 403
    assert b"Send reminders" not in analyst.get(base).content


@pytest.mark.django_db
def test_reminders_go_only_to_those_not_finished_and_not_twice_in_a_row(
    crowd, coordinator, django_capture_on_commit_callbacks
):
    wave = _open_wave(crowd)
    base = f"/n/{crowd.slug}/networks/waves/{wave.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(base + "invite/")
    invited = wave.invitations.count()
    assert invited == crowd.people.count()
    first_links = _links("network-invitation")
    done = wave.invitations.first()
    NetworkInvitation.objects.filter(pk=done.pk).update(
        started_at=timezone.now(), completed_at=timezone.now()
    )

    page = coordinator.get(base + "remind/").content.decode()
    assert f"{invited - 1} invited people have not finished" in page
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(base + "remind/")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(base + "remind/")  # a double click reminds nobody twice
    reminders = OutboxMessage.objects.filter(kind="network-reminder")
    assert reminders.count() == invited - 1
    assert done.person.email not in {m.to for m in reminders}
    assert "Reminder" in reminders.first().subject
    assert "closes on" in reminders.first().text_body
    # Each reminder carries a fresh link; the invitation's link still works too.
    tokens = NetworkInvitationToken.objects.filter(invitation__wave=wave).count()
    assert tokens == invited + invited - 1
    assert Client().get(_links("network-reminder")[0]).status_code == 200
    assert Client().get(first_links[0]).status_code == 200
    wave.refresh_from_db()
    assert wave.last_reminders_at is not None
    assert "last sent" in coordinator.get(base).content.decode()


@pytest.mark.django_db
def test_scheduled_reminders_are_sent_when_due_only(crowd):
    wave = _open_wave(crowd, reminder_every_days=3)
    services.network_invitations_create(wave=wave)
    assert services.network_reminders_send_due() == 0  # opened two days ago
    later = timezone.now() + timedelta(days=1, hours=1)
    assert services.network_reminders_send_due(now=later) == crowd.people.count()
    assert send_due_network_reminders.call() == 0  # the round just sent is recent
    never = _open_wave(crowd, name="No reminders", opens_at=timezone.now() - timedelta(days=30))
    services.network_invitations_create(wave=never)
    assert services.network_reminders_send_due(now=later) == 0


@pytest.mark.django_db
def test_closed_wave_sends_no_reminders_and_no_invitations(crowd, coordinator):
    wave = _open_wave(crowd)
    services.network_invitations_create(wave=wave)
    services.network_wave_close(wave=wave)
    assert services.network_reminders_send(wave=wave) == 0
    with pytest.raises(WaveClosedError):
        services.network_invitations_create(wave=wave)
    base = f"/n/{crowd.slug}/networks/waves/{wave.pk}/"
    page = coordinator.get(base + "remind/")
    assert page.status_code == 200
    assert b"only be sent while the survey is open" in page.content
    assert b'type="submit"' not in page.content.split(b"<main")[1]
    coordinator.post(base + "remind/")
    assert not OutboxMessage.objects.filter(kind="network-reminder").exists()


@pytest.mark.django_db
def test_response_rate_under_70_percent_is_warned_overall_and_by_organisation(
    crowd, coordinator, analyst
):
    wave = _open_wave(crowd)
    services.network_invitations_create(wave=wave, send=False)
    invitations = list(wave.invitations.select_related("person__organisation"))
    answered = [i for i in invitations if i.person.organisation.name == "Second Agency"]
    answered += [i for i in invitations if i.person.organisation.name != "Second Agency"][:4]
    now = timezone.now()
    NetworkInvitation.objects.filter(pk__in=[i.pk for i in answered]).update(started_at=now)
    NetworkInvitation.objects.filter(pk=answered[0].pk).update(completed_at=now)

    progress = selectors.network_wave_progress(wave, small_counts=True)
    assert (progress.overall.invited, progress.overall.answered) == (10, 6)
    assert progress.overall.completed == 1
    assert progress.overall.low_rate
    second = next(r for r in progress.by_organisation if r.name == "Second Agency")
    assert (second.percent, second.low_rate, second.below_minimum) == (100, False, True)

    page = coordinator.get(f"/n/{crowd.slug}/networks/waves/{wave.pk}/").content.decode()
    assert "Only 60% of invited people have answered (under 70%)" in page
    assert "6 of 10 invited have answered (60%); 1 of them have finished" in page
    # Analysts do not see small organisations' counts, and hidden counts are not said to be
    # small: "hidden, and not for being small" would say that they are not.
    page = analyst.get(f"/n/{crowd.slug}/networks/waves/{wave.pk}/").content.decode()
    assert "Hidden: fewer than 5 have answered here, or the count would let" in page
    assert "Under 5 respondents" not in page

    NetworkInvitation.objects.filter(wave=wave).update(started_at=now)
    page = coordinator.get(f"/n/{crowd.slug}/networks/waves/{wave.pk}/").content.decode()
    assert "of invited people have answered (under" not in page
    assert "(100%)" in page


@pytest.mark.django_db
def test_wave_list_queries_do_not_grow_with_waves(crowd, coordinator):
    def grow(waves: int) -> None:
        for i in range(NetworkWave.objects.filter(network=crowd).count(), waves):
            wave = _open_wave(crowd, name=f"Map {i}")
            services.network_invitations_create(wave=wave, send=False)

    def page() -> None:
        assert coordinator.get(f"/n/{crowd.slug}/networks/").status_code == 200

    assert_queries_do_not_grow(grow=grow, page=page)


@pytest.mark.django_db
def test_wave_page_queries_do_not_grow_with_invited_people(network_a, coordinator):
    wave = _open_wave(network_a)
    org = network_a.organisations.first()

    def grow(people: int) -> None:
        for i in range(Person.objects.filter(email__endswith="@grow.example").count(), people):
            Person.objects.create(
                network=network_a, name=f"G {i}", email=f"g{i}@grow.example", organisation=org
            )
        services.network_invitations_create(wave=wave, send=False)

    def page() -> None:
        response = coordinator.get(f"/n/{network_a.slug}/networks/waves/{wave.pk}/")
        assert response.status_code == 200

    assert_queries_do_not_grow(grow=grow, page=page)


@pytest.mark.django_db
def test_the_worker_scheduler_sends_due_network_reminders(crowd):
    from bridgework.commands.web import queue_scheduled_jobs

    wave = _open_wave(crowd, reminder_every_days=1)
    services.network_invitations_create(wave=wave)
    assert not OutboxMessage.objects.filter(kind="network-reminder").exists()
    names = queue_scheduled_jobs()  # the test settings run tasks at once
    assert {
        "send_due_reminders",
        "publish_results",
        "send_due_network_reminders",
        "warm_network_analyses",
        "run_schedule",
        "apply_retention",
        "resume_stale_jobs",
        "requeue_stale_emails",
    } == set(names)
    assert OutboxMessage.objects.filter(kind="network-reminder").count() == crowd.people.count()


@pytest.mark.django_db
def test_close_now_closes_a_wave_that_has_not_opened_yet(crowd, coordinator):
    now = timezone.now()
    wave = _open_wave(crowd, opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=9))
    services.network_invitations_create(wave=wave)
    link = _links("network-invitation")[0]
    assert b"not open yet" in Client().get(link).content
    base = f"/n/{crowd.slug}/networks/waves/{wave.pk}/"
    assert b"Close now" in coordinator.get(base + "close/").content
    assert coordinator.post(base + "close/").status_code == 302

    wave.refresh_from_db()
    assert wave.status == "closed"
    assert wave.opens_at < wave.closes_at <= timezone.now()
    with pytest.raises(WaveClosedError):
        services.network_invitations_create(wave=wave)
    assert b"no more invitations can be sent" in coordinator.get(base + "invite/").content
    response = coordinator.post(base + "invite/", follow=True)
    assert b"This survey has closed." in response.content
    page = coordinator.get(base).content.decode()
    assert "Closed</strong>" in page
    assert "Send invitations" not in page
    assert Client().get(link).status_code == 410  # links sent before say it has closed


@pytest.mark.django_db
def test_new_waves_start_from_the_networks_minimum_group_size_which_always_applies(
    crowd, coordinator, analyst
):
    crowd.min_group_size = 7
    crowd.save()
    form = coordinator.get(f"/n/{crowd.slug}/networks/new/").content.decode()
    assert re.search(r'name="min_group_size" value="7"', form)
    assert "The network's minimum (7) applies if larger" in form.replace("&#x27;", "'")
    assert _open_wave(crowd, name="Default").min_group_size == 7

    # A wave set lower than its network still obeys the network's minimum.
    wave = _open_wave(crowd, min_group_size=5)
    assert wave.min_group_size_in_force == 7
    services.network_invitations_create(wave=wave, send=False)
    six = wave.invitations.filter(person__organisation__name="alpha Agency")[:6]
    NetworkInvitation.objects.filter(pk__in=[i.pk for i in six]).update(started_at=timezone.now())
    progress = selectors.network_wave_progress(wave, small_counts=True)
    alpha = next(r for r in progress.by_organisation if r.name == "alpha Agency")
    assert (alpha.answered, alpha.below_minimum) == (6, True)  # 6 answered: under 7, not 5
    page = analyst.get(f"/n/{crowd.slug}/networks/waves/{wave.pk}/").content.decode()
    assert "Hidden: fewer than 7 have answered here" in page
    assert "the network’s minimum, larger than the 5 set for this survey" in page


def _row_cells(html: str, name: str) -> list[str]:
    row = html.split(f'<th scope="row" class="govuk-table__header">{name}</th>', 1)[1]
    return re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row.split("</tr>", 1)[0])


@pytest.mark.django_db
def test_analysts_see_no_answered_counts_of_organisations_under_the_minimum(
    crowd, coordinator, analyst
):
    third = Organisation.objects.create(network=crowd, name="Third Agency")
    for i in range(6):
        Person.objects.create(
            network=crowd, name=f"Tri {i}", email=f"t{i}@a.example", organisation=third
        )
    wave = _open_wave(crowd)
    services.network_invitations_create(wave=wave, send=False)
    # Answered: alpha Agency 6 of 8, Second Agency 2 of 2 (everyone!), Third Agency 6 of 6.
    answered = [
        *wave.invitations.filter(person__organisation__name="alpha Agency")[:6],
        *wave.invitations.exclude(person__organisation__name="alpha Agency"),
    ]
    NetworkInvitation.objects.filter(pk__in=[i.pk for i in answered]).update(
        started_at=timezone.now(), completed_at=timezone.now()
    )
    url = f"/n/{crowd.slug}/networks/waves/{wave.pk}/"

    page = analyst.get(url).content.decode()
    second = _row_cells(page, "Second Agency")
    assert second[:4] == ["2", "–", "–", "–"]  # invited only
    # Shown beside the total (14), more counts must go, or 14 − 6 − 6 would give Second's; and
    # the hidden ones must hold at least five people who did not answer, or hiding them would
    # still say that (almost) everyone in them answered: here all three go.
    hidden = [
        name
        for name in ("alpha Agency", "Second Agency", "Third Agency")
        if _row_cells(page, name)[1] == "–"
    ]
    assert len(hidden) == 3
    assert "14 of 16 invited have answered" in page
    assert "Names of who has or has not answered are never shown" in page

    # Coordinators, who run the survey and chase answers, see every count (who has answered,
    # never what they answered).
    page = coordinator.get(url).content.decode()
    assert _row_cells(page, "Second Agency")[:4] == ["2", "2", "2", "100%"]
    assert "14 of 16 invited have answered" in page


@pytest.mark.django_db
def test_choices_of_several_render_as_govuk_checkboxes_in_a_fieldset(crowd, coordinator):
    page = coordinator.get(f"/n/{crowd.slug}/networks/new/").content.decode()
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Organisations' in page
    assert page.count('class="govuk-checkboxes__input"') == crowd.organisations.count()


@pytest.mark.django_db
def test_the_latest_closed_wave_is_one_definition_for_the_maps_and_the_pairings(crowd):
    from bridgework.ona.models import Nomination
    from bridgework.programmes.roster import network_ties

    now = timezone.now()

    def closed(name: str, days_ago: int) -> NetworkWave:
        return _open_wave(
            crowd,
            name=name,
            opens_at=now - timedelta(days=days_ago + 5),
            closes_at=now - timedelta(days=days_ago),
        )

    older, latest = closed("Older", 20), closed("Latest", 3)
    _open_wave(crowd, name="Still open")
    assert selectors.latest_closed_network_wave(crowd) == latest
    assert selectors.latest_network_wave(crowd) == latest
    a, b, c = list(crowd.people.order_by("pk"))[:3]
    for wave, alter in ((older, b), (latest, c)):
        Nomination.objects.create(
            network=crowd, wave=wave, ego=a, alter=alter, relation="works_with", weight=4
        )

    class Enrolled:  # what the pairing roster reads of an enrolment
        def __init__(self, person):
            self.person_id = person.pk

    enrolments = {"ea": Enrolled(a), "eb": Enrolled(b), "ec": Enrolled(c)}
    assert [tie[:2] for tie in network_ties(crowd, enrolments)] == [("ea", "ec")]
