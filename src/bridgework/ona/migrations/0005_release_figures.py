from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("networks", "0004_results_release")]

    operations = [
        migrations.AddField(
            model_name="resultsrelease",
            name="figures",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
