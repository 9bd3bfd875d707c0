"""The throwaway database a load test or benchmark run works on."""

import os
from urllib.parse import urlsplit, urlunsplit


class Throwaway:
    """The database for the run: created on enter, dropped on exit.

    A new PostgreSQL database `newsroom_<kind>_<pid>` on the server DATABASE_URL
    names (that URL's own database is never touched), or a SQLite file in `workdir`.
    """

    def __init__(self, workdir, kind):
        self.source = os.environ.get("DATABASE_URL", "")
        self.workdir = workdir
        self.kind = kind
        self.name = None

    def __enter__(self):
        if self.source.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.name = f"newsroom_{self.kind}_{os.getpid()}"
            parts = urlsplit(self.source)
            self._admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.backend = "PostgreSQL"
            self.label = f"PostgreSQL ({self.name}, dropped afterwards)"
        else:
            self.url = f"sqlite:///{self.workdir / f'{self.kind}.sqlite3'}"
            self.backend = "SQLite"
            self.label = "SQLite (temporary file)"
        return self

    def __exit__(self, *exc):
        if self.name:
            import psycopg

            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
