from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_editor_key_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The secret the last rotation replaced; deliveries are signed with it too until its grace period ends.",
                max_length=100,
                verbose_name="previous signing secret",
            ),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_until",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When deliveries stop carrying a signature made with it.",
                null=True,
                verbose_name="previous secret accepted until",
            ),
        ),
    ]
