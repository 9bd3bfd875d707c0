import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

KINDS = ("keyfact", "quickanswer", "faq")


def stamp_from_explainer(apps, schema_editor):
    """Existing items take their explainer's last change, not the migration's time."""
    Article = apps.get_model("articles", "Article")
    for name in KINDS:
        model = apps.get_model("articles", name)
        changed = Article.objects.filter(pk=OuterRef("article_id")).values("updated_at")
        model.objects.update(updated_at=Subquery(changed[:1]))


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_topic_author_updated_at")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="updated_at",
                field=models.DateTimeField(
                    auto_now=True,
                    default=django.utils.timezone.now,
                    verbose_name="updated",
                ),
                preserve_default=False,
            )
            for name in KINDS
        ),
        migrations.RunPython(stamp_from_explainer, migrations.RunPython.noop),
    ]
