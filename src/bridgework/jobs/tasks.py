"""Background jobs of the jobs layer, run by ``bridgework worker``."""

from __future__ import annotations

from django_tasks import task

from bridgework.jobs.services import job_run, jobs_resume_stale


@task()
def run_job(job_id: int) -> str:
    """Run or resume one bulk action (resumable: batches already done are not redone)."""
    return job_run(job_id=job_id).status


@task()
def resume_stale_jobs() -> list[int]:
    """Queue again the jobs a killed worker left running."""
    return jobs_resume_stale()
