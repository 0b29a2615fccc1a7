"""Bulk actions in the worker: sending a wave's invitations and reminders (RC, network, roles
self-assessment) and confirming a people import run as jobs, batch by batch, with a progress
page; a job killed between batches (or inside one) resumes without anyone getting two
emails; the work per batch is a fixed number of queries whatever the size of the wave."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.directory.models import Person
from bridgework.jobs import services as jobs
from bridgework.jobs.models import Job
from bridgework.jobs.views import progress_text
from bridgework.mail.models import OutboxMessage
from bridgework.mail.services import BatchEmail, email_queue_batch
from bridgework.ona import services as network_services
from bridgework.ona.models import NetworkWave, RolesInvitation
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, Wave
from bridgework.waves import services as waves
from tests.factories import login_with, make_wave


def invitation_emails(wave: Wave) -> Counter:
    """How many invitation emails each invitee of ``wave`` has in the outbox."""
    emails = set(Invitation.objects.filter(wave=wave).values_list("person__email", flat=True))
    sent = Counter(
        OutboxMessage.objects.filter(kind="survey-invitation").values_list("to", flat=True)
    )
    return Counter({email: sent[email] for email in emails})


def start(wave: Wave, capture, kind: str = "rc-invitations") -> Job:
    with capture(execute=True):
        job = jobs.job_start(network=wave.network, kind=kind, target=wave)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_send_invitations_goes_to_the_progress_page_which_shows_the_outcome(
    coordinator, network_a, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # real delivery
    wave = make_wave(network_a, 12)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"/n/{network_a.slug}/surveys/waves/{wave.pk}/invite/")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/n/{network_a.slug}/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE
    assert job.done == job.total == 14
    page = coordinator.get(response["Location"]).content.decode()
    assert "Sent 14 invitations." in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops refreshing
    assert f'href="/n/{network_a.slug}/surveys/waves/{wave.pk}/"' in page
    counts = invitation_emails(wave)
    assert len(counts) == 14
    assert set(counts.values()) == {1}
    # Delivery was queued in batches and has happened (the test backend runs it at once).
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 14
    # The wave page links to its latest job, so a coordinator can come back to it.
    show = coordinator.get(f"/n/{network_a.slug}/surveys/waves/{wave.pk}/").content.decode()
    assert f'href="/n/{network_a.slug}/jobs/{job.pk}/"' in show
    assert "Sent 14 invitations." in show


@pytest.mark.django_db
def test_a_job_killed_between_batches_resumes_where_it_stopped_and_emails_nobody_twice(
    network_a, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 5
    wave = make_wave(network_a, 21)  # 23 invitees: batches of 5, 5, 5, 5, 3

    def killed_after_two(job: Job) -> None:
        if Job.objects.get(pk=job.pk).done >= 10:
            raise SystemExit("worker killed")  # not an Exception: nothing may swallow it

    jobs.after_batch.append(killed_after_two)
    try:
        job = start(wave, django_capture_on_commit_callbacks)
    finally:
        jobs.after_batch.remove(killed_after_two)
    # The worker died: the job is left running, with the two committed batches counted.
    assert job.status == Job.Status.RUNNING
    assert (job.done, job.total) == (10, 23)
    assert Invitation.objects.filter(wave=wave).count() == 10
    assert sum(invitation_emails(wave).values()) == 10
    # A fresh heartbeat means another worker may be running it: the scheduler leaves it.
    assert jobs.jobs_resume_stale() == []
    # Once the heartbeat is stale, the scheduler queues it again and it carries on.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_resume_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.done == job.total == 23
    assert job.attempts == 2
    counts = invitation_emails(wave)
    assert len(counts) == 23
    assert set(counts.values()) == {1}
    keys = list(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 23
    # Running it again (a duplicate queue entry) does nothing.
    assert jobs.job_run(job_id=job.pk).done == 23
    assert OutboxMessage.objects.count() == 23


@pytest.mark.django_db
def test_a_job_killed_inside_a_batch_loses_that_batch_whole_and_redoes_it_once(
    network_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 4
    wave = make_wave(network_a, 10)  # 12 invitees
    real = waves.email_queue_batch
    calls = []

    def dies_in_the_third_batch(**kwargs):
        calls.append(1)
        ids = real(**kwargs)  # the emails are written...
        if len(calls) == 3:
            raise SystemExit("worker killed")  # ...and the batch never commits
        return ids

    monkeypatch.setattr(waves, "email_queue_batch", dies_in_the_third_batch)
    job = start(wave, django_capture_on_commit_callbacks)
    assert job.done == 8
    # The third batch's invitations, links and emails went together.
    assert Invitation.objects.filter(wave=wave).count() == 8
    assert OutboxMessage.objects.count() == 8
    monkeypatch.setattr(waves, "email_queue_batch", real)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job_id=job.pk)
    assert job.done == job.total == 12
    assert set(invitation_emails(wave).values()) == {1}
    assert len(invitation_emails(wave)) == 12


@pytest.mark.django_db
def test_a_second_identical_job_is_the_running_one(network_a):
    wave = make_wave(network_a, 3)
    first = jobs.job_start(network=network_a, kind="rc-invitations", target=wave)
    again = jobs.job_start(network=network_a, kind="rc-invitations", target=wave)
    assert again.pk == first.pk
    other = jobs.job_start(network=network_a, kind="rc-reminders", target=wave)
    assert other.pk != first.pk
    assert Job.objects.count() == 2


def running_job(network, wave, **fields) -> Job:
    fields = {"status": Job.Status.RUNNING, "done": 1500, "total": 20000, **fields}
    return Job.objects.create(network=network, kind="rc-invitations", target_id=wave.pk, **fields)


@pytest.mark.django_db
def test_progress_page_while_running_is_announced_and_refreshes_without_javascript(
    coordinator, analyst, network_a
):
    wave = make_wave(network_a, 1)
    job = running_job(network_a, wave)
    for client in (coordinator, analyst):
        page = client.get(f"/n/{network_a.slug}/jobs/{job.pk}/").content.decode()
        region = page[page.index('aria-live="polite"') :]
        assert "Sent 1,500 of 20,000 invitations" in region
        assert '<label class="govuk-label" for="job-progress">' in page
        assert 'id="job-progress" max="20000" value="1500"' in page
        assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
        assert f'href="/n/{network_a.slug}/jobs/{job.pk}/">Refresh</a>' in page
        assert '<h1 class="govuk-heading-l">Sending invitations</h1>' in page
        assert "Try again" not in page


@pytest.mark.django_db
def test_a_failed_job_says_why_without_a_traceback_and_coordinators_can_retry(
    coordinator, analyst, network_a, monkeypatch, django_capture_on_commit_callbacks
):
    wave = make_wave(network_a, 6)

    def broken(**kwargs):
        raise RuntimeError("connection to server lost")

    monkeypatch.setattr(waves, "email_queue_batch", broken)
    job = start(wave, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert job.error == jobs.UNEXPECTED
    url = f"/n/{network_a.slug}/jobs/{job.pk}/"
    page = coordinator.get(url).content.decode()
    assert "The job stopped before it finished" in page
    assert "Sent 0 of 8 invitations before it stopped." in page
    assert "connection to server lost" not in page
    assert "Traceback" not in page
    assert "http-equiv" not in page
    assert "Try again" in page
    assert "Try again" not in analyst.get(url).content.decode()
    assert analyst.post(url + "retry/").status_code == 403
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url + "retry/")
    assert response["Location"] == url
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.done == job.total == 8
    assert "Sent 8 invitations." in coordinator.get(url).content.decode()


@pytest.mark.django_db
def test_a_wave_closed_before_its_job_runs_stops_the_job_with_a_plain_message(
    network_a, django_capture_on_commit_callbacks
):
    wave = make_wave(network_a, 3)
    job = jobs.job_start(network=network_a, kind="rc-invitations", target=wave)
    Wave.objects.filter(pk=wave.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job_id=job.pk)
    assert job.status == Job.Status.FAILED
    assert job.error == "This wave has closed, so no more invitations can be sent."
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_reminders_job_reminds_each_unfinished_invitee_once(
    coordinator, network_a, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_BATCH_SIZE = 3
    wave = make_wave(network_a, 8)  # 10 invitees
    services.invitations_create(wave=wave)
    Invitation.objects.filter(pk=Invitation.objects.first().pk).update(completed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"/n/{network_a.slug}/surveys/waves/{wave.pk}/remind/")
    job = Job.objects.get(kind="rc-reminders")
    assert response["Location"] == f"/n/{network_a.slug}/jobs/{job.pk}/"
    assert job.done == job.total == 9
    assert "Sent 9 reminders." in coordinator.get(response["Location"]).content.decode()
    reminded = Counter(
        OutboxMessage.objects.filter(kind="survey-reminder").values_list("to", flat=True)
    )
    assert len(reminded) == 9
    assert set(reminded.values()) == {1}


@pytest.mark.django_db
def test_network_wave_and_roles_links_go_through_jobs(
    coordinator, network_a, django_capture_on_commit_callbacks
):
    now = timezone.now()
    wave = NetworkWave.objects.create(
        network=network_a,
        name="Map",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
    )
    people = network_a.people.count()
    with django_capture_on_commit_callbacks(execute=True):
        invite = coordinator.post(f"/n/{network_a.slug}/networks/waves/{wave.pk}/invite/")
    with django_capture_on_commit_callbacks(execute=True):
        remind = coordinator.post(f"/n/{network_a.slug}/networks/waves/{wave.pk}/remind/")
    with django_capture_on_commit_callbacks(execute=True):
        roles = coordinator.post(f"/n/{network_a.slug}/networks/roles/")
    outcomes = {job.kind: (job.status, job.done, job.outcome) for job in Job.objects.order_by("pk")}
    assert outcomes == {
        "network-invitations": ("done", people, f"Sent {people} invitations."),
        "network-reminders": ("done", people, f"Sent {people} reminders."),
        "roles-invitations": ("done", people, f"Sent {people} links."),
    }
    for response in (invite, remind, roles):
        assert "/jobs/" in response["Location"]
    assert RolesInvitation.objects.filter(network=network_a).count() == people
    kinds = Counter(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == {
        "network-invitation": people,
        "network-reminder": people,
        "roles-invitation": people,
    }
    roles_page = coordinator.get(f"/n/{network_a.slug}/networks/roles/").content.decode()
    assert f"Sent {people} links." in roles_page


@pytest.mark.django_db
def test_another_networks_job_is_not_found(network_a, network_b):
    wave = make_wave(network_a, 1)
    job = running_job(network_a, wave)
    other = login_with(network_b, "coordinator", "coord@beta.example")
    assert other.get(f"/n/{network_b.slug}/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/n/{network_a.slug}/jobs/{job.pk}/").status_code == 404
    assert other.post(f"/n/{network_b.slug}/jobs/{job.pk}/retry/").status_code == 404


def batch_queries(work) -> int:
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["invitations", "reminders", "roles"])
def test_queries_per_batch_do_not_grow_with_its_size(network_a, network_b, what):
    counts = []
    # 40, not more: SQLite splits an insert past 999 parameters (an outbox row has about 20).
    for network, size in ((network_a, 6), (network_b, 40)):
        wave = make_wave(network, size)
        if what == "invitations":
            counts.append(
                batch_queries(
                    lambda wave=wave, size=size: waves.invitations_create_batch(
                        kind=services.RC_WAVES, wave=wave, limit=size
                    )
                )
            )
        elif what == "reminders":
            services.invitations_create(wave=wave)
            counts.append(
                batch_queries(
                    lambda wave=wave, size=size: waves.reminders_send_batch(
                        kind=services.RC_WAVES, wave=wave, limit=size
                    )
                )
            )
        else:
            counts.append(
                batch_queries(
                    lambda network=network, size=size: (
                        network_services.roles_invitations_create_batch(network=network, limit=size)
                    )
                )
            )
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12


@pytest.mark.django_db
def test_a_whole_job_of_two_batches_takes_the_same_queries_at_four_times_the_size(
    network_a, network_b, settings
):
    counts = []
    # 20 invitees in batches of 10, then 80 in batches of 40: two full batches each.
    for network, people, size in ((network_a, 18, 10), (network_b, 78, 40)):
        settings.JOBS_BATCH_SIZE = size
        wave = make_wave(network, people)
        job = jobs.job_start(network=network, kind="rc-invitations", target=wave)
        with CaptureQueriesContext(connection) as queries:
            job = jobs.job_run(job_id=job.pk)
        assert job.done == job.total == people + 2
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_email_queue_batch_skips_emails_already_queued(network_a):
    emails = [
        BatchEmail(
            to=f"p{i}@alpha.example",
            context={"person": None, "path": "/s/x/"},
            idempotency_key=f"test:{i}:0",
        )
        for i in range(3)
    ]
    kwargs = {
        "network": network_a,
        "kind": "roles-invitation",
        "subject": "Hello",
        "template": "ona/emails/roles_invitation",
    }
    assert len(email_queue_batch(emails=emails[:2], **kwargs)) == 2
    assert len(email_queue_batch(emails=emails, **kwargs)) == 1
    assert len(email_queue_batch(emails=emails + emails, **kwargs)) == 0
    assert OutboxMessage.objects.count() == 3


@pytest.mark.django_db
def test_people_import_that_no_longer_fits_fails_and_changes_nothing(
    coordinator, network_a, django_capture_on_commit_callbacks
):
    content = b"name,email,manager_email\nNew One,new1@alpha.example,staff@alpha.example\n"
    response = coordinator.post(
        f"/n/{network_a.slug}/people/import/",
        {"file": _upload("fits.csv", content)},
    )
    assert response.status_code == 302
    preview = response["Location"]
    Person.objects.filter(email="staff@alpha.example").delete()  # the manager has left
    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator.post(preview + "confirm/", {"action": "confirm"})
    job = Job.objects.get(kind="people-import")
    assert done["Location"] == f"/n/{network_a.slug}/jobs/{job.pk}/"
    assert job.status == Job.Status.FAILED
    assert "The file no longer fits the directory, so nothing was changed" in job.error
    assert "no one with email staff@alpha.example" in job.error
    assert not Person.objects.filter(email="new1@alpha.example").exists()
    page = coordinator.get(done["Location"]).content.decode()
    assert "nothing was changed" in page
    assert "before it stopped" not in page


def _import_one_person(coordinator, network, capture) -> Job:
    """Upload a one-person file, confirm it, and return the import's job, run."""
    content = b"name,email\nNew One,new1@alpha.example\n"
    preview = coordinator.post(
        f"/n/{network.slug}/people/import/", {"file": _upload("new.csv", content)}
    )["Location"]
    with capture(execute=True):
        coordinator.post(preview + "confirm/", {"action": "confirm"})
    return Job.objects.get(kind="people-import")


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.django_db
def test_people_import_progress_page_while_running_says_it_is_checking_and_importing(
    coordinator, network_a
):
    from bridgework.directory.models import PeopleImport

    upload = PeopleImport.objects.create(network=network_a, filename="x.csv", content=b"")
    job = Job.objects.create(
        network=network_a,
        kind="people-import",
        target_id=upload.pk,
        status=Job.Status.RUNNING,
        total=20000,
    )
    page = coordinator.get(f"/n/{network_a.slug}/jobs/{job.pk}/").content.decode()
    assert "Checking and importing the file: 20,000 rows" in page
    assert '<progress class="bw-progress" id="job-progress" aria-describedby' in page
    # Its preview page sends the coordinator to the job while it runs.
    preview = coordinator.get(f"/n/{network_a.slug}/people/import/{upload.pk}/")
    assert preview["Location"] == f"/n/{network_a.slug}/jobs/{job.pk}/"


DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job_and_delivers_its_emails(network_a, settings):
    settings.TASKS = DB_TASKS
    settings.JOBS_BATCH_SIZE = 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    wave = make_wave(network_a, 9)  # 11 invitees
    client = login_with(network_a, "coordinator", "coord@alpha.example")
    response = client.post(f"/n/{network_a.slug}/surveys/waves/{wave.pk}/invite/")
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED  # the request only queued it
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start: 11 invitations to go." in page
    assert 'http-equiv="refresh"' in page
    assert not Invitation.objects.exists()
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.done == job.total == 11
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Invitation.objects.filter(wave=wave).values_list("person__email", flat=True)
    )
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_job_whose_wave_was_deleted_stops_and_says_so(coordinator, network_a):
    wave = make_wave(network_a, 2)
    job = jobs.job_start(network=network_a, kind="rc-invitations", target=wave)
    Wave.objects.filter(pk=wave.pk).delete()
    job = jobs.job_run(job_id=job.pk)
    assert job.status == Job.Status.FAILED
    assert job.error == jobs.GONE
    page = coordinator.get(f"/n/{network_a.slug}/jobs/{job.pk}/")
    assert page.status_code == 200
    assert jobs.GONE in page.content.decode()


@pytest.mark.django_db
def test_confirming_an_import_does_not_read_the_file_in_the_request(
    coordinator, network_a, monkeypatch
):
    from bridgework.directory import imports

    content = b"name,email\nNew One,new1@alpha.example\n"
    response = coordinator.post(
        f"/n/{network_a.slug}/people/import/", {"file": _upload("a.csv", content)}
    )
    preview = response["Location"]

    def not_here(*args, **kwargs):
        raise AssertionError("the file was read in the request")

    monkeypatch.setattr(imports, "read_people_file", not_here)
    done = coordinator.post(preview + "confirm/", {"action": "confirm"})  # not committed: queued
    job = Job.objects.get(kind="people-import")
    assert (job.status, job.total) == (Job.Status.QUEUED, 0)
    page = coordinator.get(done["Location"]).content.decode()
    assert "Checking and importing the file…" in page


@pytest.mark.django_db
def test_retrying_a_stopped_job_after_the_action_was_started_again_shows_the_new_job(
    coordinator, network_a
):
    wave = make_wave(network_a, 2)
    stopped = running_job(network_a, wave, status=Job.Status.FAILED, error="x")
    again = jobs.job_start(network=network_a, kind="rc-invitations", target=wave)
    response = coordinator.post(f"/n/{network_a.slug}/jobs/{stopped.pk}/retry/")
    assert response["Location"] == f"/n/{network_a.slug}/jobs/{again.pk}/"
    stopped.refresh_from_db()
    assert stopped.status == Job.Status.FAILED


@pytest.mark.django_db
def test_progress_sentences_take_the_singular_for_one_and_the_plural_otherwise(network_a):
    def job(kind: str = "rc-invitations", **fields) -> Job:
        return Job(network=network_a, kind=kind, target_id=1, **fields)

    running = Job.Status.RUNNING
    assert progress_text(job(status=running, done=0, total=1)) == "Sent 0 of 1 invitation"
    assert progress_text(job(status=running, done=1, total=2)) == "Sent 1 of 2 invitations"
    queued = job(status=Job.Status.QUEUED, done=0, total=1)
    assert progress_text(queued) == "Waiting to start: 1 invitation to go."
    people = job("people-import", status=running, done=0, total=1)
    assert progress_text(people) == "Checking and importing the file: 1 row"
    people.total = 0
    assert progress_text(people) == "Checking and importing the file…"


def _running(network, wave, **fields) -> Job:
    """A job some worker claimed an hour ago and has not been heard from since."""
    return Job.objects.create(
        network=network,
        kind="rc-invitations",
        target_id=wave.pk,
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
        attempts=1,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_a_long_step_keeps_the_heartbeat_fresh_so_no_second_worker_claims_the_job(
    network_a, settings
):
    settings.JOBS_STALE_AFTER = 3  # a beat every second
    job = _running(network_a, make_wave(network_a, 2))
    long_ago = job.heartbeat_at
    with jobs._heartbeat(job.pk, attempt=1):
        time.sleep(3.5)  # one step, longer than a job may go unheard
    job.refresh_from_db()
    assert job.heartbeat_at > long_ago + timedelta(minutes=59)
    # Another worker (or the scheduler) finds it alive and leaves it to its runner.
    assert jobs._claim(job.pk, timezone.now()) is False
    assert jobs.jobs_resume_stale() == []
    # Without the beat, the same job is taken for abandoned.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    assert jobs.jobs_resume_stale() == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_a_run_beats_only_for_its_own_claim_and_not_past_the_longest_run(network_a, settings):
    settings.JOBS_STALE_AFTER = 0.3  # a beat every 0.1 s
    wave = make_wave(network_a, 2)
    taken_over = _running(network_a, wave)
    # Another worker claimed the job since (claim 2): the first run's beats leave it alone.
    Job.objects.filter(pk=taken_over.pk).update(attempts=2)
    with jobs._heartbeat(taken_over.pk, attempt=1):
        time.sleep(0.5)
    assert Job.objects.get(pk=taken_over.pk).heartbeat_at == taken_over.heartbeat_at
    # A run past JOBS_LONGEST_RUN is taken for hung: its beats stop.
    taken_over.delete()
    settings.JOBS_LONGEST_RUN = 0
    hung = _running(network_a, wave)
    with jobs._heartbeat(hung.pk, attempt=1):
        time.sleep(0.5)
    assert Job.objects.get(pk=hung.pk).heartbeat_at == hung.heartbeat_at
    assert jobs.jobs_resume_stale() == [hung.pk]


@pytest.mark.django_db
def test_batched_and_all_at_once_jobs_both_run_inside_their_heartbeat(
    coordinator, network_a, monkeypatch, django_capture_on_commit_callbacks
):
    beating: list[int] = []
    seen: dict[str, bool] = {}

    @contextmanager
    def recorded(job_id: int, *, attempt: int):
        assert attempt == Job.objects.get(pk=job_id).attempts  # this run's claim
        beating.append(job_id)
        try:
            yield
        finally:
            beating.remove(job_id)

    def watched(name: str, run):
        def run_watched(job, *args):
            seen[job.kind] = job.pk in beating
            return run(job, *args)

        monkeypatch.setattr(jobs, name, run_watched)

    monkeypatch.setattr(jobs, "_heartbeat", recorded)
    watched("_run_batches", jobs._run_batches)
    watched("_run_at_once", jobs._run_at_once)
    invitations = start(make_wave(network_a, 3), django_capture_on_commit_callbacks)
    imported = _import_one_person(coordinator, network_a, django_capture_on_commit_callbacks)
    assert (invitations.status, imported.status) == (Job.Status.DONE, Job.Status.DONE)
    assert seen == {"rc-invitations": True, "people-import": True}
    assert beating == []


@pytest.mark.django_db
def test_an_import_job_is_seen_by_coordinators_only_as_the_import_pages_are(
    coordinator, analyst, network_a, django_capture_on_commit_callbacks
):
    imported = _import_one_person(coordinator, network_a, django_capture_on_commit_callbacks)
    invitations = start(make_wave(network_a, 3), django_capture_on_commit_callbacks)
    assert (imported.role, invitations.role) == ("coordinator", "analyst")
    listed = analyst.get(f"/n/{network_a.slug}/jobs/").content.decode()
    assert f"/jobs/{invitations.pk}/" in listed
    assert f"/jobs/{imported.pk}/" not in listed
    assert analyst.get(f"/n/{network_a.slug}/jobs/{imported.pk}/").status_code == 404
    assert coordinator.get(f"/n/{network_a.slug}/jobs/{imported.pk}/").status_code == 200
