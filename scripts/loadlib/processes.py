"""The site as real processes: manage.py commands and a gunicorn on 127.0.0.1."""

import contextlib
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import requests

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(*args, env, timeout=120, check=False):
    """Run manage.py in a subprocess; returns the CompletedProcess.

    `check`: exit with the end of its stderr when it fails.
    """
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode:
        sys.exit(f"manage.py {args[0]} failed:\n{result.stderr[-2000:]}")
    return result


def stop_process(process, timeout=30):
    """SIGTERM, then SIGKILL if it has not exited after `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_until_up(url, process, timeout=30):
    """Return once `url` answers with a status below 400; RuntimeError if `process`
    exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app process exited with {process.returncode}")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


class Server(NamedTuple):
    base: str
    process: subprocess.Popen


@contextlib.contextmanager
def gunicorn(env, log_path, *, ready="/robots.txt", timeout=30, app=None):
    """A gunicorn with gunicorn.conf.py serving the site (or the WSGI `app`, as
    "module:name") on a free port of 127.0.0.1, up once `ready` answers; yields a
    Server, and stops it on the way out.

    Workers, threads and the rest come from `env` (GUNICORN_WORKERS, ...).
    """
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            + ([app] if app else []),
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"{HOST}:{port}"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://{HOST}:{port}", process)
    try:
        try:
            wait_until_up(server.base + ready, process, timeout)
        except RuntimeError as error:
            tail = Path(log_path).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{error}; its log ends:\n{tail}") from None
        yield server
    finally:
        stop_process(process)


def worker_pids(master_pid):
    """The pids of the processes whose parent is `master_pid` (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids
