"""The worker and the scheduler's tick survive being killed at any point of a round: while
drawing (no half round), between publishing and sending, in the middle of sending, and with
the job left "running" by a killed worker — without a double send or a lost match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bridgework.directory.models import Network
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import dates, mailing, services
from bridgework.programmes.models import Enrolment, Match, Programme, Round, RoundPlace
from bridgework.programmes.services import rounds
from tests.factories import add_people

DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


def make_programme(network: Network, **fields) -> Programme:
    add_people(network)
    fields = {"audience": Programme.Audience.NETWORK, "holdout_share": 0.2, **fields}
    programme = services.programme_create(network=network, name="Coffee", **fields)
    services.enrol_audience(programme=programme)
    return programme


def programme_keys() -> list[str]:
    return list(
        OutboxMessage.objects.filter(kind__in=["programme-intro", "programme-unmatched"])
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    )


def groups(round_: Round) -> list[tuple[int, ...]]:
    return sorted(
        tuple(sorted(m.places.values_list("enrolment_id", flat=True)))
        for m in Match.objects.filter(round=round_)
    )


@pytest.mark.django_db(transaction=True)
def test_job_left_running_by_a_killed_worker_is_caught_up_by_the_next_tick(network_a, settings):
    from django_tasks_db.models import DBTaskResult

    from bridgework.programmes.tasks import run_schedule

    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    programme = make_programme(network_a)
    round_ = services.round_create(programme=programme, seed=5)
    drawn = groups(round_)
    round_ = services.round_publish(round_=round_)
    job = DBTaskResult.objects.get(task_path__endswith="send_round")
    # A worker claims the job, queues three introductions and is killed (no clean-up): the
    # job stays "running" for ever, and the database backend never runs it again.
    job.claim("killed-worker")
    assert mailing.round_send(round_=round_, limit=3) == 3
    # A worker restarts; its scheduler queues the tick, which sends what the round still owes.
    run_schedule.enqueue()
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    places = round_.places.count()
    keys = programme_keys()
    assert len(keys) == len(set(keys)) == places
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        round_.places.values_list("enrolment__person__email", flat=True)
    )
    assert DBTaskResult.objects.get(pk=job.pk).status == "RUNNING"
    assert groups(round_) == drawn  # no match lost or changed
    # Ticking again sends nothing more.
    assert services.programmes_tick()["sent"] == 0


@pytest.mark.django_db
def test_killed_between_publishing_and_queueing_the_send(network_a):
    programme = make_programme(network_a)
    round_ = services.round_create(programme=programme, seed=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        round_ = services.round_publish(round_=round_)
    assert not programme_keys()
    assert services.programmes_tick()["sent"] == round_.places.count()
    assert services.programmes_tick()["sent"] == 0
    assert len(programme_keys()) == round_.places.count()


@pytest.mark.django_db
def test_crash_inside_a_batch_of_emails_rolls_back_only_that_batch(network_a):
    programme = make_programme(network_a)
    round_ = services.round_create(programme=programme, seed=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        round_ = services.round_publish(round_=round_)
    real = mailing.email_queue_batch
    calls = []

    def dies_in_the_second_batch(**kwargs):
        calls.append([email.to for email in kwargs["emails"]])
        ids = real(**kwargs)
        if len(calls) == 2:
            raise SystemExit("killed")  # not an Exception: nothing may swallow it
        return ids

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mailing, "SEND_BATCH", 3)
        patch.setattr(mailing, "email_queue_batch", dies_in_the_second_batch)
        with pytest.raises(SystemExit):
            mailing.round_send(round_=round_)
    assert len(programme_keys()) == 3
    # The personal links made for the interrupted batch were rolled back with it.
    second = Enrolment.objects.filter(person__email__in=calls[1], programme=programme)
    assert second.count() == 3
    assert not any(enrolment.tokens.exists() for enrolment in second)
    assert mailing.round_send(round_=round_) == round_.places.count() - 3
    keys = programme_keys()
    assert len(keys) == len(set(keys)) == round_.places.count()


@pytest.mark.django_db
def test_crash_while_drawing_leaves_no_half_round(network_a):
    programme = make_programme(network_a)

    def boom(*args, **kwargs):
        raise SystemExit("killed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RoundPlace.objects, "bulk_create", boom)
        with pytest.raises(SystemExit):
            services.round_create(programme=programme, seed=5)
    assert not Round.objects.exists()
    assert not Match.objects.exists()
    # The next tick draws the round in full.
    programme.weekday = dates.programme_today(programme).weekday()
    programme.save()
    assert services.programmes_tick()["created"] == 1
    round_ = Round.objects.get()
    assert round_.places.count() == programme.enrolments.count()


@pytest.mark.django_db
def test_scheduler_runs_on_the_programmes_own_calendar(network_a):
    # 05:00 UTC is still the previous evening in Pago Pago (UTC-11): the round starts there
    # "today", which is yesterday in UTC.
    programme = make_programme(network_a, time_zone="Pacific/Pago_Pago")
    utc_today = timezone.now().astimezone(UTC).date()
    now = datetime.combine(utc_today, datetime.min.time(), UTC) + timedelta(hours=5)
    local_today = utc_today - timedelta(days=1)
    programme.weekday = local_today.weekday()
    programme.save()
    assert services.programmes_tick(now=now)["created"] == 1
    assert Round.objects.get().starts_on == local_today


@pytest.mark.django_db
def test_tick_resumes_people_whose_pause_has_ended(network_a):
    programme = make_programme(network_a)
    enrolment = programme.enrolments.first()
    today = dates.programme_today(programme)
    services.enrolment_pause(enrolment=enrolment, until=today + timedelta(days=3))
    assert services.programmes_tick()["resumed"] == 0
    later = timezone.now() + timedelta(days=3)
    assert services.programmes_tick(now=later)["resumed"] == 1
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.paused_until) == ("active", None)


@pytest.mark.django_db
def test_auto_publish_moves_a_draft_the_worker_missed_to_the_next_start(network_a):
    programme = make_programme(network_a, auto_publish=True)
    today = dates.programme_today(programme)
    round_ = services.round_create(programme=programme, seed=5)
    # The worker was down for the whole round.
    Round.objects.filter(pk=round_.pk).update(
        starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=6)
    )
    programme.weekday = today.weekday()
    programme.save()
    counts = services.programmes_tick()
    round_.refresh_from_db()
    assert counts["published"] == 1
    assert round_.is_published
    assert round_.starts_on == today
    assert len(programme_keys()) == round_.places.count()
