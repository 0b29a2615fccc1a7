"""Drawing and publishing a coffee round run as jobs: the draw is all-or-nothing, publishing
sends its introductions in batches, and a publish job killed between batches or inside one
carries on where it stopped with nobody introduced twice."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.text import get_text_list

from bridgework.jobs import services as jobs
from bridgework.jobs.models import Job
from bridgework.mail.models import OutboxMessage
from bridgework.programmes import mailing, services
from bridgework.programmes.jobs import ROUND_DRAW, ROUND_PUBLISH
from bridgework.programmes.models import Match, Programme, Round, RoundPlace
from bridgework.programmes.services import rounds
from tests.factories import add_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(network_a) -> Programme:
    add_people(network_a, count=19)  # 21 enrolments with the fixture network's two people
    programme = services.programme_create(
        network=network_a, name="Coffee", audience="network", holdout_share=0.1
    )
    services.enrol_audience(programme=programme)
    return programme


def drawn(programme: Programme) -> Round:
    return services.round_create(programme=programme, seed=11)


def start(round_: Round, capture, kind: str = ROUND_PUBLISH) -> Job:
    with capture(execute=True):
        job = jobs.job_start(network=round_.network, kind=kind, target=round_)
    job.refresh_from_db()
    return job


def emails_per_person(round_: Round) -> Counter:
    return Counter(
        OutboxMessage.objects.filter(
            kind__in=("programme-intro", "programme-unmatched")
        ).values_list("to", flat=True)
    )


def owed(round_: Round) -> int:
    return RoundPlace.objects.filter(round=round_).count()


def test_publish_killed_between_batches_resumes_and_introduces_nobody_twice(
    programme, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 4
    round_ = drawn(programme)
    total = owed(round_)
    assert total == 21

    def killed_after_two(job: Job) -> None:
        if Job.objects.get(pk=job.pk).done >= 8:
            raise SystemExit("worker killed")

    jobs.after_batch.append(killed_after_two)
    try:
        job = start(round_, django_capture_on_commit_callbacks)
    finally:
        jobs.after_batch.remove(killed_after_two)
    assert job.status == Job.Status.RUNNING
    assert (job.done, job.total) == (8, total)
    round_.refresh_from_db()
    assert round_.is_published  # the first batch made it final, with its first emails
    assert sum(emails_per_person(round_).values()) == 8
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_resume_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.done == job.total == total
    counts = emails_per_person(round_)
    assert len(counts) == total
    assert set(counts.values()) == {1}
    # A duplicate queue entry, or the scheduler's sweep, sends nothing more.
    assert jobs.job_run(job_id=job.pk).done == total
    assert mailing.round_send(round_=round_) == 0
    assert sum(emails_per_person(round_).values()) == total


def test_each_run_of_the_publish_job_carries_one_cursor_from_batch_to_batch(
    programme, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 4
    round_ = drawn(programme)
    cursors: list[mailing.SendCursor] = []
    real = mailing.round_send

    def recorded(*, round_: Round, limit: int | None = None, cursor=None) -> int:
        cursors.append(cursor)
        return real(round_=round_, limit=limit, cursor=cursor)

    def killed_after_two(job: Job) -> None:
        if Job.objects.get(pk=job.pk).done >= 8:
            raise SystemExit("worker killed")

    monkeypatch.setattr(mailing, "round_send", recorded)
    jobs.after_batch.append(killed_after_two)
    try:
        job = start(round_, django_capture_on_commit_callbacks)
    finally:
        jobs.after_batch.remove(killed_after_two)
    first, cursors[:] = list(cursors), []
    assert len(first) == 2
    assert first[0] is first[1]
    assert first[0].after > 0  # it moved past the places the run sent
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.jobs_resume_stale()
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    assert len(cursors) > 1
    assert all(cursor is cursors[0] for cursor in cursors)
    assert cursors[0] is not first[0]  # the resumed run started afresh
    assert set(emails_per_person(round_).values()) == {1}


def test_publish_killed_inside_its_first_batch_leaves_the_draft_as_it_was(
    programme, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 5
    round_ = drawn(programme)
    real = mailing.email_queue_batch

    def dies_once_the_first_batch_is_written(**kwargs):
        real(**kwargs)  # the batch's emails are written...
        raise SystemExit("worker killed")  # ...and its transaction never commits

    monkeypatch.setattr(mailing, "email_queue_batch", dies_once_the_first_batch_is_written)
    job = start(round_, django_capture_on_commit_callbacks)
    assert job.done == 0
    round_.refresh_from_db()
    # Publishing and the batch's emails went together.
    assert not round_.is_published
    assert not OutboxMessage.objects.exists()
    monkeypatch.setattr(mailing, "email_queue_batch", real)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job_id=job.pk)
    round_.refresh_from_db()
    assert round_.is_published
    assert job.status == Job.Status.DONE
    assert job.done == job.total == 21
    counts = emails_per_person(round_)
    assert len(counts) == 21
    assert set(counts.values()) == {1}


def test_publish_killed_inside_a_later_batch_loses_that_batch_whole_and_redoes_it_once(
    programme, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 5
    round_ = drawn(programme)
    real = mailing.email_queue_batch
    calls = []

    def dies_in_the_third_batch(**kwargs):
        calls.append(len(kwargs["emails"]))
        ids = real(**kwargs)  # the third batch's emails are written, then the worker dies
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return ids

    monkeypatch.setattr(mailing, "email_queue_batch", dies_in_the_third_batch)
    job = start(round_, django_capture_on_commit_callbacks)
    assert calls == [5, 5, 5]  # one write per batch, of the whole batch
    assert job.done == 10
    assert OutboxMessage.objects.count() == 10
    monkeypatch.setattr(mailing, "email_queue_batch", real)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job_id=job.pk)
    assert job.done == job.total == 21
    counts = emails_per_person(round_)
    assert len(counts) == 21
    assert set(counts.values()) == {1}


def test_a_draw_that_stops_leaves_the_draft_as_it_was(
    programme, monkeypatch, django_capture_on_commit_callbacks
):
    round_ = drawn(programme)
    before = sorted(Match.objects.filter(round=round_).values_list("pk", flat=True))
    real = rounds._insert_matches

    def dies_after_writing(round_, matches):
        real(round_, matches)
        raise RuntimeError("database went away")

    monkeypatch.setattr(rounds, "_insert_matches", dies_after_writing)
    services.round_reseed(round_=round_, seed=99)
    job = start(round_, django_capture_on_commit_callbacks, kind=ROUND_DRAW)
    assert job.status == Job.Status.FAILED
    assert "unexpected error" in job.error
    assert "Traceback" not in job.error
    assert sorted(Match.objects.filter(round=round_).values_list("pk", flat=True)) == before
    assert RoundPlace.objects.filter(round=round_).count() == 21
    monkeypatch.setattr(rounds, "_insert_matches", real)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_retry(job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    round_.refresh_from_db()
    assert round_.seed == 99
    assert RoundPlace.objects.filter(round=round_).count() == 21


def test_a_round_created_from_the_page_is_drawn_by_its_job_and_cannot_be_published_before(
    coordinator, network_a, programme
):
    # Without running the queued job: the round is recorded, undrawn, and says so.
    response = coordinator.post(f"/n/{network_a.slug}/coffee/{programme.pk}/rounds/new/")
    round_ = Round.objects.get(programme=programme)
    job = Job.objects.get(kind=ROUND_DRAW, target_id=round_.pk)
    assert response["Location"] == f"/n/{network_a.slug}/jobs/{job.pk}/"
    assert not round_.is_drawn
    page = coordinator.get(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/").content.decode()
    assert "its matches are being drawn" in page
    assert f'href="/n/{network_a.slug}/jobs/{job.pk}/"' in page
    refused = coordinator.post(
        f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/publish/", follow=True
    ).content.decode()
    assert "still being drawn" in refused
    assert not Job.objects.filter(kind=ROUND_PUBLISH).exists()
    # A second click while it is drawing is the same job.
    coordinator.post(f"/n/{network_a.slug}/coffee/rounds/{round_.pk}/redraw/")
    assert Job.objects.filter(kind=ROUND_DRAW).count() == 1


def test_drawing_writes_matches_and_places_with_a_fixed_number_of_inserts(programme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_ = drawn(programme)
    with CaptureQueriesContext(connection) as captured:
        services.round_draw(round_=round_)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # one for the matches, one for the places
    assert Match.objects.filter(round=round_).count() >= 8


def test_a_publish_batch_makes_as_many_queries_with_twelve_people_as_with_three(
    network_a, settings
):
    from bridgework.programmes import jobs as round_jobs
    from tests.queries import assert_queries_do_not_grow

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # redacted copies
    add_people(network_a, count=48)  # 50 enrolments: every measured batch is of matched people
    programme = services.programme_create(
        network=network_a, name="Coffee", audience="network", holdout_share=0
    )
    services.enrol_audience(programme=programme)
    round_ = drawn(programme)
    size = {"n": 0}
    written = []
    cursor = mailing.SendCursor()  # as one run of the job carries it from batch to batch

    def publish_batch() -> None:
        written.append(round_jobs._publish_batch(round_, size["n"], cursor))

    counts = assert_queries_do_not_grow(
        grow=lambda n: size.update(n=n), page=publish_batch, sizes=(3, 12)
    )
    assert written == [3, 3, 12, 12]
    assert counts[0] < 20
    messages = OutboxMessage.objects.filter(kind="programme-intro")
    assert messages.count() == 30
    # Each email is its own: its subject, its calendar file, its key; links kept out of the copy.
    assert len(set(messages.values_list("idempotency_key", flat=True))) == 30
    for message in messages:
        assert message.idempotency_key.startswith("programme-intro:")
        assert message.subject.startswith("Coffee: meet ")
        (calendar,) = message.attachments
        assert calendar["mimetype"].startswith("text/calendar; method=REQUEST")
        assert message.links_redacted
        (token,) = set(re.findall(r"/me/([^/\s]+)/", message.pending_text_body))
        assert token not in message.text_body
        assert token not in message.html_body
        assert token in message.pending_html_body
        assert message.pending_attachments[0]["content"] == calendar["content"]


@pytest.mark.parametrize("kind", ["reminder", "feedback"])
def test_reminders_and_feedback_requests_are_written_with_as_many_queries_for_few_as_many(
    network_a, network_b, kind, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # redacted copies
    counts, rounds_ = [], []
    for network, extra in ((network_a, 4), (network_b, 22)):
        add_people(network, count=extra)
        programme = services.programme_create(
            network=network, name="Coffee", audience="network", holdout_share=0
        )
        services.enrol_audience(programme=programme)
        round_ = services.round_publish(round_=drawn(programme), send=False)
        mailing.round_send(round_=round_)
        with CaptureQueriesContext(connection) as captured:
            sent = mailing.round_follow_up(round_=round_, kind=kind)
        counts.append(len(captured))
        matched = RoundPlace.objects.filter(round=round_, match__isnull=False).count()
        assert sent == matched > 0
        assert mailing.round_follow_up(round_=round_, kind=kind) == 0  # nobody asked twice
        rounds_.append(round_)
    assert counts[0] == counts[1], counts
    messages = OutboxMessage.objects.filter(kind=f"programme-{kind}")
    assert messages.count() == sum(
        RoundPlace.objects.filter(round=r, match__isnull=False).count() for r in rounds_
    )
    assert len(set(messages.values_list("to", flat=True))) == messages.count()
    for message in messages:
        (token,) = set(re.findall(r"/me/([^/\s]+)/", message.pending_text_body))
        assert token not in message.text_body


def test_reminders_go_a_batch_at_a_time_and_name_only_those_still_in_the_match(
    network_a, monkeypatch, settings
):
    """Read a batch at a time, a round's reminders are those of one pass over it; someone
    who has left a trio is neither reminded nor named to the two who go on as a pair."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    add_people(network_a, count=29)  # 31 people: pairs and one trio
    programme = services.programme_create(
        network=network_a, name="Coffee", audience="network", holdout_share=0
    )
    services.enrol_audience(programme=programme)
    round_ = services.round_publish(round_=drawn(programme), send=False)
    mailing.round_send(round_=round_)
    trio = next(m for m in Match.objects.filter(round=round_) if m.places.count() == 3)
    leaver = trio.places.order_by("pk").last()
    services.enrolment_leave(enrolment=leaver.enrolment)
    monkeypatch.setattr(mailing, "SEND_BATCH", 4)  # partners often in the next batch
    sent = mailing.round_follow_up(round_=round_, kind="reminder")
    matched = RoundPlace.objects.filter(round=round_, match__isnull=False)
    assert sent == matched.count() - 1
    reminders = OutboxMessage.objects.filter(kind="programme-reminder")
    assert sorted(reminders.values_list("to", flat=True)) == sorted(
        matched.exclude(pk=leaver.pk).values_list("enrolment__person__email", flat=True)
    )
    for place in matched.exclude(pk=leaver.pk).select_related("enrolment__person"):
        text = " ".join(reminders.get(to=place.enrolment.person.email).text_body.split())
        staying = (
            matched.filter(match_id=place.match_id)
            .exclude(pk__in=[place.pk, leaver.pk])
            .order_by("pk")
            .values_list("enrolment__person__name", flat=True)
        )
        found = re.search(r"If you have not met (.+?) yet", text)
        assert found, text
        named = found.group(1)
        assert named == get_text_list(list(staying), "and")
    assert mailing.round_follow_up(round_=round_, kind="reminder") == 0
