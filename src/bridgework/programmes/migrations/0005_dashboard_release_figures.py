from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_match_calendar_sequence")]

    operations = [
        migrations.AddField(
            model_name="dashboardrelease",
            name="figures",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
