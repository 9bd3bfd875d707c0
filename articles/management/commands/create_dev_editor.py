from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

USERNAME = "editor"
PASSWORD = "newsroom-local-editor"


class Command(BaseCommand):
    help = "Create a local editor account for development (refused unless DEBUG is on)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="HOST:PORT the development server listens on, for the admin "
            "address printed (make run passes its HOST and PORT).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("create_dev_editor only runs with DJANGO_DEBUG=1.")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "email": "editor@localhost"}
        )
        user.is_staff = True
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name="Editor"))
        verb = "Created" if created else "Reset"
        self.stdout.write(
            f"{verb} local editor account: username '{USERNAME}', "
            f"password '{PASSWORD}' "
            f"(admin at http://{options['address']}{reverse('admin:index')})"
        )
