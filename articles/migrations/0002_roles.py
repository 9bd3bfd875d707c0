from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = ["article", "keyfact", "quickanswer", "faq", "correction", "topic", "author"]


def make_roles(apps, schema_editor):
    # Permissions are normally made after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = Permission.objects.filter(
        content_type__app_label="articles", content_type__model__in=CONTENT_MODELS
    )
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*content)
    writer, _ = Group.objects.get_or_create(name="Writer")
    writer.permissions.add(
        *content.filter(codename__regex=r"^(add|change|view)_")
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Writer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_roles, remove_roles)]
