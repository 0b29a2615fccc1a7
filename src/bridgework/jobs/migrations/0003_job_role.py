"""Each job records the role a member needs to see it; a download's job takes its file's."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def roles_of_download_jobs(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    ExportFile = apps.get_model("jobs", "ExportFile")
    role = ExportFile.objects.filter(pk=OuterRef("target_id")).values("role")[:1]
    Job.objects.filter(kind="export", target_id__in=ExportFile.objects.values("pk")).update(
        role=Subquery(role)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_export_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="role",
            field=models.CharField(
                default="analyst",
                help_text="The role a member needs to see the job: its page names what it worked on.",
                max_length=20,
            ),
        ),
        migrations.RunPython(roles_of_download_jobs, migrations.RunPython.noop),
    ]
