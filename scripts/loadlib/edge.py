"""Edge servers as real processes: varnishd with deploy/varnish/newsroom.vcl in front
of an app, and nginx serving one static file (the benchmark's machine limit)."""

import contextlib
import subprocess
import time
from pathlib import Path

import requests

from .processes import HOST, ROOT, free_port, stop_process

VARNISHD = "/usr/sbin/varnishd"
NGINX = "/usr/sbin/nginx"
VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"


def varnish_installed() -> bool:
    vmods = list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so"))
    return Path(VARNISHD).exists() and bool(vmods)


def _wait(url, process, log, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: exited: {Path(log).read_text()[-2000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def varnish(backend_port, workdir: Path, *, port=None, memory="64m", purgers=None):
    """varnishd with the project's VCL in front of 127.0.0.1:`backend_port`, on
    `port` (a free one by default); yields its base URL. `purgers`: addresses to
    put in the VCL's purge ACL instead of the local ones."""
    workdir.mkdir(parents=True, exist_ok=True)
    text = VCL.read_text()
    if purgers is not None:
        start = text.index("acl purgers {")
        end = text.index("}", start)
        listed = "".join(f'    "{address}";\n' for address in purgers)
        text = text[:start] + "acl purgers {\n" + listed + text[end:]
    if '.port = "8000";' not in text:
        raise RuntimeError(f"{VCL}: no backend port to replace")
    vcl = workdir / "newsroom.vcl"
    vcl.write_text(text.replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = port or free_port()
    log = workdir / "varnishd.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                VARNISHD,
                "-F",
                # No privilege separation: it runs as whoever starts it.
                *("-j", "none", "-T", "none"),
                *("-a", f"{HOST}:{port}", "-f", str(vcl)),
                *("-n", str(workdir / "instance"), "-s", f"malloc,{memory}"),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://{HOST}:{port}"
    try:
        _wait(f"{base}/robots.txt", process, log)
        yield base
    finally:
        stop_process(process, timeout=20)


@contextlib.contextmanager
def nginx(root: Path, workdir: Path):
    """nginx serving the files under `root` on a free port; yields its base URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""daemon off;
worker_processes auto;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    # As a tuned static server would: no per-connection request limit (wrk keeps its
    # connections open, as Varnish lets it), sendfile, cached file handles.
    keepalive_requests 1000000;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=100;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    default_type text/html;
    server {{
        listen {HOST}:{port};
        root {root};
    }}
}}
"""
    )
    log = workdir / "nginx.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(workdir)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://{HOST}:{port}"
    try:
        _wait(f"{base}/", process, log)
        yield base
    finally:
        stop_process(process, timeout=20)
