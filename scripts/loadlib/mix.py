"""The realistic mix (scripts/bench.py --mix SECONDS): anonymous reads spread over
10,000 published explainers with a Zipf distribution, through Varnish, while an
editor changes one explainer's dek through the API every second and signed-in
readers post five comments a second.

Every read is checked against the version it should show. The editor writes a
counter into the dek ("Mix edit <n>."); an edit counts from the moment its API
response arrived (the purge is sent after the commit, inside the write's request),
and a read that started after that moment must show that counter or a newer one.
Reads are timed on the system-wide monotonic clock, so the reader processes and the
editor's thread compare times directly.
"""

import bisect
import collections
import http.client
import itertools
import json
import multiprocessing
import random
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from .clients import signed_in_session
from .edge import varnish
from .edge_bench import MAKE_TOKEN, edge_settings
from .figures import percentile
from .processes import HOST, free_port, gunicorn, manage

ZIPF_S = 1.1
EXPLAINERS = 10_000
EDITS_PER_SECOND = 1
COMMENTS_PER_SECOND = 5
READERS = 12  # signed-in readers who comment
PASSWORD = "mix-reader-password-2468"
DEK = re.compile(r'class="explainer__dek">Mix edit (\d+)\.')

SEED = """
import json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from articles.models import Article
for i in range({readers}):
    user = get_user_model().objects.create_user(
        username=f"mix-reader-{{i}}", email=f"mix-reader-{{i}}@example.org",
        password="{password}")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
slugs = Article.objects.published().order_by("pk").values_list("slug", flat=True)
print(json.dumps(list(slugs[:{count}])))
"""

STORED = """
import json
from comments.models import Comment
print(json.dumps(list(Comment.objects.filter(body__startswith="Mix comment")
                      .values_list("body", flat=True))))
"""


def zipf_weights(count, s=ZIPF_S):
    """Cumulative weights of ranks 1..count under Zipf(s)."""
    return list(itertools.accumulate(1 / rank**s for rank in range(1, count + 1)))


def bench_mix(args, env, workdir, *, step):
    varnish_port = free_port()
    env = {
        **env,
        "VARNISH_URLS": f"http://{HOST}:{varnish_port}",
        **edge_settings(args, f"http://{HOST}:{varnish_port}"),
        "COMMENTS_RATE_PER_MINUTE": "1000000",
        "API_THROTTLE_USER": "1000000/min",
        "API_THROTTLE_ANON": "1000000/min",
    }
    # The database cache table, when the settings use one (a no-op otherwise).
    manage("createcachetable", env=env, check=True)
    token = manage("shell", "-c", MAKE_TOKEN, env=env, check=True).stdout.split()[-1]
    seeded = manage(
        "shell",
        "-c",
        SEED.format(readers=READERS, password=PASSWORD, count=args.mix_explainers),
        env=env,
        timeout=600,
        check=True,
    )
    slugs = json.loads(seeded.stdout.strip().splitlines()[-1])
    if len(slugs) < args.mix_explainers:
        raise SystemExit(
            f"--mix needs {args.mix_explainers} published explainers, seeded "
            f"{len(slugs)}: raise --articles (a tenth are drafts)"
        )
    # Rank 1 is not simply the newest explainer.
    random.Random(16).shuffle(slugs)
    with (
        gunicorn(env, workdir / "gunicorn.log", ready="/healthz", timeout=60) as app,
        varnish(
            urlsplit(app.base).port,
            workdir / "varnish",
            port=varnish_port,
            memory="512m",
        ) as edge,
    ):
        step(f"mix: {args.mix:g} s over {len(slugs)} explainers")
        outcome = run_mix(args, edge, slugs, token)
    stored = manage("shell", "-c", STORED, env=env, check=True).stdout
    outcome["stored"] = set(json.loads(stored.strip().splitlines()[-1]))
    report_mix(args, outcome, len(slugs))
    return outcome


def run_mix(args, edge, slugs, token):
    """Reader processes, the editor and the commenters, all for args.mix seconds."""
    weights = zipf_weights(len(slugs))
    port = urlsplit(edge).port
    # The readers start together and first warm the cache (a site's cache is never
    # empty) for args.mix_warm seconds; reads started then are not counted.
    measured_from = time.monotonic() + 2 + args.mix_warm
    deadline = measured_from + args.mix
    context = multiprocessing.get_context("fork")
    with context.Pool(args.mix_readers) as pool:
        pending = pool.starmap_async(
            read_loop,
            [
                (port, slugs, weights, deadline, args.connections, seed)
                for seed in range(args.mix_readers)
            ],
        )
        time.sleep(max(measured_from - time.monotonic(), 0))
        editor = Edits(edge, token, slugs, weights)
        commenters = Comments(edge, slugs, weights)
        threads = [
            threading.Thread(target=editor.run, args=(deadline,)),
            threading.Thread(target=commenters.run, args=(deadline,)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        reads = [read for chunk in pending.get() for read in chunk]
    reads = [read for read in reads if read[1] >= measured_from]
    return {"reads": reads, "editor": editor, "comments": commenters}


def read_loop(port, slugs, weights, deadline, connections, seed):
    """One reader process: `connections` threads reading Zipf-chosen explainer
    pages until `deadline`; returns (index, started, counter, status, hit, seconds)
    per read, counter -1 when the page shows no edit yet."""
    reads = []
    lock = threading.Lock()

    def reader(number):
        rng = random.Random(seed * 1000 + number)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        found = []
        while time.monotonic() < deadline:
            index = rng.choices(range(len(slugs)), cum_weights=weights)[0]
            started = time.monotonic()
            try:
                conn.request("GET", f"/explainers/{slugs[index]}/")
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                found.append((index, started, -1, 0, False, 0.0))
                continue
            took = time.monotonic() - started
            match = DEK.search(body.decode(errors="replace"))
            found.append(
                (
                    index,
                    started,
                    int(match[1]) if match else -1,
                    response.status,
                    response.getheader("X-Varnish-Cache") == "HIT",
                    took,
                )
            )
        conn.close()
        with lock:
            reads.extend(found)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reads


def paced(rate, deadline, job, workers):
    """Start `job(n)` `rate` times a second on a pool of `workers` threads until
    `deadline` (a slow answer does not delay the next start)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        due = time.monotonic()
        for number in itertools.count():
            if due >= deadline:
                break
            pool.submit(job, number)
            due += 1 / rate
            time.sleep(max(due - time.monotonic(), 0))


class Edits:
    """The editor: PATCHes a Zipf-chosen explainer's dek once a second."""

    def __init__(self, edge, token, slugs, weights):
        self.edge, self.slugs, self.weights = edge, slugs, weights
        self.token = token
        self.rng = random.Random(7)
        self.lock = threading.Lock()
        self.statuses = {}
        self.saved = []  # (index, counter, answered at)
        self.latencies = []

    def run(self, deadline):
        paced(EDITS_PER_SECOND, deadline, self.edit, workers=4)

    def edit(self, counter):
        with self.lock:
            index = self.rng.choices(range(len(self.slugs)), cum_weights=self.weights)[
                0
            ]
        started = time.monotonic()
        try:
            answer = requests.patch(
                f"{self.edge}/api/v1/articles/{self.slugs[index]}/",
                json={"dek": f"Mix edit {counter}."},
                headers={"Authorization": f"Token {self.token}"},
                timeout=30,
            )
            status = answer.status_code
        except requests.RequestException:
            status = 0
        answered = time.monotonic()
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(answered - started)
            if status == 200:
                self.saved.append((index, counter, answered))


class Comments:
    """Signed-in, verified readers posting the comment form, five a second."""

    def __init__(self, edge, slugs, weights):
        self.edge, self.slugs, self.weights = edge, slugs, weights
        self.rng = random.Random(11)
        self.lock = threading.Lock()
        self.users = [f"mix-reader-{i}" for i in range(READERS)]
        self.local = threading.local()
        self.statuses = {}
        self.accepted = []

    def run(self, deadline):
        paced(COMMENTS_PER_SECOND, deadline, self.post, workers=READERS)

    def session(self):
        if not hasattr(self.local, "session"):
            with self.lock:
                username = self.users.pop()
            self.local.session = signed_in_session(self.edge, username, PASSWORD)
        return self.local.session

    def post(self, number):
        with self.lock:
            index = self.rng.choices(range(len(self.slugs)), cum_weights=self.weights)[
                0
            ]
        session = self.session()
        body = f"Mix comment {number}: the levee question again."
        try:
            answer = session.post(
                f"{self.edge}/explainers/{self.slugs[index]}/comments/",
                data={
                    "body": body,
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                allow_redirects=False,
                timeout=30,
            )
            status = answer.status_code
        except requests.RequestException:
            status = 0
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status in (201, 302):
                self.accepted.append(body)


def stale_reads(reads, saved):
    """Reads that started after an edit's response arrived and showed an older
    counter: [(read, the counter it should have shown at least)]."""
    edits = {}
    for index, counter, answered in sorted(saved, key=lambda e: e[2]):
        edits.setdefault(index, ([], []))
        edits[index][0].append(answered)
        edits[index][1].append(counter)
    stale = []
    for read in reads:
        index, started, shown, status = read[:4]
        if status != 200 or index not in edits:
            continue
        times, counters = edits[index]
        before = bisect.bisect_left(times, started)
        if before and shown < max(counters[:before]):
            stale.append((read, max(counters[:before])))
    return stale


def report_mix(args, outcome, explainers):
    reads = outcome["reads"]
    editor, comments = outcome["editor"], outcome["comments"]
    ok = [r for r in reads if r[3] == 200]
    hits = [r for r in ok if r[4]]
    stale = stale_reads(reads, editor.saved)
    errors = sum(1 for r in reads if r[3] >= 500 or r[3] == 0)
    lost = set(comments.accepted) - outcome["stored"]
    latencies = [r[5] for r in ok]
    print(
        f"\nRealistic mix, {args.mix:g} s after {args.mix_warm:g} s of reads to warm "
        f"the cache: reads over {explainers} explainers "
        f"(Zipf s={ZIPF_S}) from {args.mix_readers} processes x {args.connections} "
        f"connections through Varnish, {EDITS_PER_SECOND} API edit/s, "
        f"{COMMENTS_PER_SECOND} comments/s; {args.workers} gunicorn workers x "
        f"{args.threads} threads; re-warm {'on' if args.rewarm else 'off'}, purge "
        f"again after {args.purge_again:g} s (0: off)\n"
    )
    print(
        "| reads | reads/s | hit ratio | p50 ms | p99 ms | miss p50 ms | miss p99 ms "
        "| 5xx/errors | stale |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    misses = [r[5] for r in ok if not r[4]] or [0]
    print(
        f"| {len(reads)} | {len(reads) / args.mix:.0f} | "
        f"{len(hits) / max(len(ok), 1):.1%} | "
        f"{percentile(latencies, 0.5) * 1000:.2f} | "
        f"{percentile(latencies, 0.99) * 1000:.2f} | "
        f"{percentile(misses, 0.5) * 1000:.1f} | "
        f"{percentile(misses, 0.99) * 1000:.1f} | {errors} | {len(stale)} |"
    )
    edit_ms = [t * 1000 for t in editor.latencies] or [0]
    print(
        f"\nEdits: {sum(editor.statuses.values())} PATCHes, {len(editor.saved)} saved "
        f"(statuses {dict(sorted(editor.statuses.items()))}), response p50 "
        f"{statistics.median(edit_ms):.0f} ms, p99 {percentile(edit_ms, 0.99):.0f} ms"
    )
    print(
        f"Comments: {sum(comments.statuses.values())} posted, "
        f"{len(comments.accepted)} accepted "
        f"(statuses {dict(sorted(comments.statuses.items()))}), "
        f"{len(comments.accepted) - len(lost)} stored, {len(lost)} lost"
    )
    if errors:
        failing = collections.Counter(r[3] for r in reads if r[3] >= 500 or r[3] == 0)
        print(f"Failed reads by status (0: the connection failed): {dict(failing)}")
    for read, expected in stale[:5]:
        print(f"  stale: {read} should show edit {expected} or newer")
    failed = bool(stale) or errors > 0 or bool(lost)
    print("FAILED" if failed else "OK: no stale read, no 5xx, every comment stored")
