"""What the load test (scripts/loadtest.py), the benchmark (scripts/bench.py) and the
process tests (tests/ops/) share, and the parts of the two scripts, by job:

- processes: free ports, manage.py, gunicorn started and stopped, its workers
- database: the throwaway database a run creates and drops
- figures: percentiles
- clients: the load test's readers and editor
- hooks: the load test's webhook receiver and its check of what arrived
- bench_site: the benchmark's targets, seed data and in-process measurements
- bench_settings, bench_urls, bench_hooks: the benchmark site's settings module
  (DJANGO_SETTINGS_MODULE=scripts.loadlib.bench_settings), its /bench/floor route
  and its X-Bench-No-Cache switches; none of them exist in the application
- refill_cost: the page render after a comment or an edit, page cache on and off

The scripts import it as `loadlib` (their folder is first on sys.path), the tests as
`scripts.loadlib`, so its modules import each other relatively.
"""
