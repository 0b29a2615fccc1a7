"""One bulk action (send a wave's invitations, import a people file) and how far it got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.directory.models import Role


class Job(models.Model):
    """A bulk action a coordinator started, run by the worker in batches.

    ``done`` and ``total`` count the rows (people, emails) of the action; ``done`` moves
    with every committed batch, so the progress page, and a run resumed after a crash, see
    what is really in the database. ``role`` is set by the kind when the job starts (a
    download of the owner-only audit log, the analysis of the coordinators' named map).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Stopped")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=50, help_text="What the job does (a registered kind).")
    target_id = models.PositiveBigIntegerField(help_text="The record the job acts on.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    role = models.CharField(
        max_length=20,
        default=Role.ANALYST,
        help_text="The role a member needs to see the job: its page names what it worked on.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=500, blank=True)
    outcome_data = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="Shown to the coordinator: no traceback.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "kind", "target_id", "-created_at"])]
        constraints = [
            # Two clicks, two coordinators or two tabs cannot start the same action twice.
            models.UniqueConstraint(
                fields=["network", "kind", "target_id"],
                condition=Q(status__in=["queued", "running"]),
                name="jobs_one_active_per_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="jobs_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.target_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.done / self.total))


#: The kind of the jobs that build a stored download (see ``jobs.exports``).
EXPORT_JOB = "export"


class ExportFile(models.Model):
    """A download built by a job because it was too large to build in the request.

    The bytes are kept in the database (every web and worker machine shares it) until
    ``expires_at``, when the retention sweep deletes the row. Only members with ``role`` (the
    role the same download needs inline) may download it.
    """

    network = models.ForeignKey("directory.Network", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50, help_text="Which export (a registered export kind).")
    params = models.JSONField(default=dict, blank=True)
    role = models.CharField(max_length=20, help_text="The role a member needs to download it.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.filename or self.kind

    @property
    def is_ready(self) -> bool:
        return self.built_at is not None and self.expires_at > timezone.now()
