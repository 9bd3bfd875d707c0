"""What the load test (scripts/loadtest.py), the benchmark (scripts/bench.py) and the
process tests (tests/ops/) share, and the parts of the two scripts, by job:

- processes: free ports, manage.py, gunicorn started and stopped, its workers
- database: the throwaway database a run creates and drops
- figures: percentiles
- clients: the load test's readers and editor
- hooks: the load test's webhook receiver and its check of what arrived
- bench_site: the benchmark's targets, seed data and in-process measurements

The scripts import it as `loadlib` (their folder is first on sys.path), the tests as
`scripts.loadlib`, so its modules import each other relatively.
"""
