"""The jobs checking and importing a people file are seen by coordinators only, as the
import's pages are."""

from django.db import migrations


def import_jobs_for_coordinators(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Job.objects.filter(kind__in=["people-import", "people-import-check"]).update(role="coordinator")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_min_group_size_bound"),
        ("jobs", "0003_job_role"),
    ]

    operations = [
        migrations.RunPython(import_jobs_for_coordinators, migrations.RunPython.noop),
    ]
