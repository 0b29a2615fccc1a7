"""The jobs computing a named map are seen by coordinators only, as the named map is."""

from django.db import migrations


def named_map_jobs_for_coordinators(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    AnalysisRequest = apps.get_model("networks", "AnalysisRequest")
    named = AnalysisRequest.objects.filter(page="people").values("pk")
    Job.objects.filter(kind="network-analysis", target_id__in=named).update(role="coordinator")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_job_role"),
        ("networks", "0009_analysis_requests"),
    ]

    operations = [
        migrations.RunPython(named_map_jobs_for_coordinators, migrations.RunPython.noop),
    ]
