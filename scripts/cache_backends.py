#!/usr/bin/env python
"""Time Django's two shared cache backends that need no server, as the page cache
uses them: DatabaseCache (in a throwaway SQLite file with the project's settings)
and FileBasedCache (in a throwaway folder).

    .venv/bin/python scripts/cache_backends.py 2000 10000    # entries already kept

For each count it fills the cache (a fifth of the values 40 kB, the rest 200 bytes)
and prints the mean time of: reading three version keys (a page-cache hit), reading
an entry with two keys (a miss's lookup), writing a 40 kB entry, and writing the
five parts of an explainer page.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(call, times):
    started = time.perf_counter()
    for _ in range(times):
        call()
    return (time.perf_counter() - started) / times * 1000


def measure(cache, count):
    page = os.urandom(20_000) * 2
    started = time.perf_counter()
    for n in range(count):
        cache.set(f"fill:{n}", page if n % 5 == 0 else "x" * 200, 3600)
    fill = (time.perf_counter() - started) / count * 1000
    versions = ["content:version", "article:version:1", "comments:version:1"]
    cache.set_many(dict.fromkeys(versions, 1), None)
    cache.set("response:page", {"content": page}, 3600)
    parts = {f"part:{n}": "y" * 5000 for n in range(5)}
    return {
        "fill, per write": fill,
        "3 versions read": timed(lambda: cache.get_many(versions), 300),
        "entry + 2 keys read": timed(
            lambda: cache.get_many(["response:page", *versions[:2]]), 300
        ),
        "40 kB entry written": timed(
            lambda: cache.set("response:page", {"content": page}, 3600), 100
        ),
        "5 parts written": timed(lambda: cache.set_many(parts, 3600), 50),
    }


def main(counts):
    folder = Path(tempfile.mkdtemp(prefix="newsroom-cache-backends-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SECRET_KEY="cache-backends-timing-only-" + "x" * 30,
        REDIS_URL="",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache.backends.db import DatabaseCache
    from django.core.cache.backends.filebased import FileBasedCache
    from django.core.management import call_command

    try:
        print("| backend | entries | " + " | ".join(measure_names()) + " |")
        print("| --- | ---: |" + " ---: |" * len(measure_names()))
        for count in counts:
            for name, make in (
                ("database (SQLite)", lambda t: DatabaseCache(t, options())),
                ("files", lambda t: FileBasedCache(str(folder / t), options())),
            ):
                table = f"cache_{count}_{len(name)}"
                call_command("createcachetable", table, verbosity=0)
                figures = measure(make(table), count)
                cells = " | ".join(f"{ms:.2f} ms" for ms in figures.values())
                print(f"| {name} | {count} | {cells} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def options():
    return {"OPTIONS": {"MAX_ENTRIES": 30_000, "CULL_FREQUENCY": 3}}


def measure_names():
    return [
        "fill, per write",
        "3 versions read",
        "entry + 2 keys read",
        "40 kB entry written",
        "5 parts written",
    ]


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [2000, 10000])
