"""Jobs for coordinators' pages are seen by coordinators only: those computing a named map,
and those checking and importing a nominations file."""

from django.db import migrations


def coordinator_only_jobs(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    AnalysisRequest = apps.get_model("networks", "AnalysisRequest")
    named = AnalysisRequest.objects.filter(page="people").values("pk")
    Job.objects.filter(kind="network-analysis", target_id__in=named).update(role="coordinator")
    Job.objects.filter(kind__in=["nominations-check", "nominations-import"]).update(
        role="coordinator"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0003_job_role"),
        ("networks", "0009_analysis_requests"),
    ]

    operations = [
        migrations.RunPython(coordinator_only_jobs, migrations.RunPython.noop),
    ]
