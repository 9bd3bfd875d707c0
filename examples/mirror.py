#!/usr/bin/env python3
"""Keep a copy of every published explainer, in sync through the change feed.

A partner's starting point, with nothing but the standard library:

    python examples/mirror.py https://news.example.org/api/v1/ --store ./mirror
    python examples/mirror.py https://news.example.org/api/v1/ --store ./mirror --check

The store is a folder: one JSON file per explainer (named by its stable id) and
`cursor.txt`, the change feed's cursor. Each run reads the feed from that cursor,
fetches an explainer on "published" and "updated" and drops it on "unpublished"
and "deleted". `--check` then compares the copy with the API's list and exits 1
if they differ. Send `--key` (an integration key) if the site gives you one.
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


class Api:
    def __init__(self, base, key=None):
        self.base = base if base.endswith("/") else f"{base}/"
        self.key = key

    def get(self, address):
        url = urllib.parse.urljoin(self.base, address)
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, None


def sync(api, store):
    """Apply every change since the stored cursor; returns how many were applied."""
    store.mkdir(parents=True, exist_ok=True)
    cursor_file = store / "cursor.txt"
    cursor = cursor_file.read_text().strip() if cursor_file.exists() else "0"
    applied = 0
    address = f"changes/?after={cursor}"
    while address:
        status, page = api.get(address)
        if status != 200:
            raise SystemExit(f"change feed answered {status}")
        for event in page["results"]:
            explainer = event["explainer"]
            copy = store / f"{explainer['id']}.json"
            if event["kind"] in {"published", "updated"}:
                status, data = api.get(f"articles/{explainer['slug']}/")
                if status == 200:
                    copy.write_text(json.dumps(data, sort_keys=True))
                # 404/410: gone again by now; a later event in the feed says so.
            else:
                copy.unlink(missing_ok=True)
            applied += 1
        cursor_file.write_text(str(page["cursor"]))
        address = page["next"]
    return applied


def differences(api, store):
    """What differs between the copy and the API's list of published explainers."""
    listed, address = {}, "articles/?page_size=100"
    while address:
        status, page = api.get(address)
        if status != 200:
            raise SystemExit(f"article list answered {status}")
        listed.update({str(item["id"]): item for item in page["results"]})
        address = page["next"]
    copied = {path.stem: json.loads(path.read_text()) for path in store.glob("*.json")}
    found = [f"missing {pk}" for pk in listed.keys() - copied.keys()]
    found += [f"not public any more {pk}" for pk in copied.keys() - listed.keys()]
    for pk in listed.keys() & copied.keys():
        for field in ("slug", "title", "updated_at", "body"):
            if listed[pk][field] != copied[pk][field]:
                found.append(f"{pk}: {field} differs")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("api", help="the API root, e.g. https://example.org/api/v1/")
    parser.add_argument("--store", type=Path, default=Path("mirror"))
    parser.add_argument("--key", help="an integration key, sent as a Bearer token")
    parser.add_argument("--check", action="store_true", help="compare with the API")
    args = parser.parse_args(argv)
    api = Api(args.api, args.key)
    applied = sync(api, args.store)
    print(f"applied {applied} changes")
    if args.check:
        found = differences(api, args.store)
        for line in found:
            print(line)
        if found:
            return 1
        print("the copy equals the API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
