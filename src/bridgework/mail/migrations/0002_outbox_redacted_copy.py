"""Keep the email as sent apart from the copy coordinators see. Where mail is really delivered,
existing copies lose their personal links (unsent ones keep the full email for delivery)."""

from django.db import migrations, models


def redact_existing(apps, schema_editor):
    from bridgework.mail.backends import outbox_is_delivery
    from bridgework.mail.services import outbox_redact

    if outbox_is_delivery():  # the outbox-only mode: the outbox copy is the delivery
        return
    outbox_redact(apps.get_model("mail", "OutboxMessage").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="links_redacted",
            field=models.BooleanField(
                default=False, help_text="Personal links are removed from the copy shown."
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="pending_attachments",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="pending_html_body",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="pending_text_body",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(redact_existing, migrations.RunPython.noop),
    ]
