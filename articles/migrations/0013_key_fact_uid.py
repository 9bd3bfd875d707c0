import uuid

from django.db import migrations, models


def give_each_fact_its_own_id(apps, schema_editor):
    KeyFact = apps.get_model("articles", "KeyFact")
    for fact in KeyFact.objects.only("pk").iterator():
        KeyFact.objects.filter(pk=fact.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_claim_sources")]

    operations = [
        migrations.AddField(
            model_name="keyfact",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_fact_its_own_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="keyfact",
            name="uid",
            field=models.UUIDField(
                db_index=True,
                default=uuid.uuid4,
                help_text="The same for every explainer showing this fact.",
                verbose_name="fact id",
            ),
        ),
    ]
