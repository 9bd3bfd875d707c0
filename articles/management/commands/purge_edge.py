import re

from django.core.management.base import BaseCommand, CommandError

from articles import purge, surrogates

KEY = re.compile(r"^(lists|chrome|[acpt][0-9]+)$")


class Command(BaseCommand):
    help = (
        "Invalidate surrogate keys (e.g. chrome after a deploy that changes the "
        "page header): the page cache and every configured edge cache."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="+", help="lists, chrome, a<id>, c<id>, …")

    def handle(self, *args, keys, **options):
        unknown = [key for key in keys if not KEY.match(key)]
        if unknown:
            raise CommandError(f"Not surrogate keys: {' '.join(unknown)}")
        if not purge.purgers():
            self.stderr.write("No edge cache configured: only the page cache moves.")
        # No transaction is open here, so the purge goes out at once.
        surrogates.keys_changed(keys)
        self.stdout.write(f"Invalidated: {' '.join(sorted(set(keys)))}")
