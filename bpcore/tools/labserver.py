"""A throw-away JupyterLab server on 127.0.0.1, for the real-browser test and benchmark.

    with jupyterlab(notebook_folder) as (base_url, token):
        page.goto(f"{base_url}/lab/tree/some.ipynb?reset&token={token}")

The server gets a fresh HOME, config, data and runtime folders under a temporary directory (so the
developer's own JupyterLab settings and workspaces play no part), a random free port, a random token,
``PYTHONPATH`` pointing at this repository (the kernel imports this checkout's ``bpcore``) and no
``BPCORE_BOOK`` (live panels, as a reader sees them), and plotly's widget bundle served once, as the
book's launcher serves it (:func:`bpcore.tools.lab.widget_bundle_server`).  It is stopped, and the temporary folders
removed, when the ``with`` block ends.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bpcore.tools.lab import SETTINGS_DIR, widget_bundle_server   # as the reader's launcher: no news pop-up, ...

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_jupyter_env(home: Path, runtime: Path) -> dict[str, str]:
    """This process's environment with ``HOME`` and Jupyter's config, data and runtime folders under
    ``home`` / ``runtime``: a server started with it sees none of the developer's own settings."""
    return {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"), "JUPYTER_RUNTIME_DIR": str(runtime)}


def wait_until_serving(base: str, token: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Poll ``base/api/status`` until the server answers; raise RuntimeError with the end of its ``log``
    if ``process`` exits first or ``timeout`` seconds pass."""
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).close()
            return
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                why = f"exited (code {process.returncode})" if process.poll() is not None else f"no answer in {timeout:g} s"
                raise RuntimeError(f"JupyterLab did not start ({why}, uid {os.geteuid()}):\n"
                                   + log.read_text()[-3000:]) from None
            time.sleep(0.5)


@contextlib.contextmanager
def jupyterlab(root: Path, start_timeout: float = 60.0) -> Iterator[tuple[str, str]]:
    """Run JupyterLab serving the folder ``root``; yield ``(base URL, token)``."""
    tmp = Path(tempfile.mkdtemp(prefix="bp-lab-"))
    home = tmp / "home"
    home.mkdir()
    port, token = free_port(), "bp" + os.urandom(8).hex()
    bundle_options, bundle_env = widget_bundle_server()                             # ... plotly's bundle served once
    env = {**fresh_jupyter_env(home, tmp / "runtime"), "PYTHONPATH": str(REPO_ROOT), **bundle_env}
    env.pop("BPCORE_BOOK", None)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
           "--ServerApp.allow_root=True", f"--LabApp.app_settings_dir={SETTINGS_DIR}", *bundle_options]
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, token, server, tmp / "server.log", start_timeout)
        yield base, token
    finally:
        stop(server)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a server process: terminate, wait up to ``grace`` seconds, then kill."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def shutdown_kernels(base: str, token: str) -> None:
    """Stop every kernel of the server (frees memory and CPU between notebooks)."""
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()
