"""README command 1's launcher, ``python3 -m bpcore.tools.lab``: the whole repository, the first
chapter, no news pop-up, and it starts as root (containers, course servers) as for any user."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bpcore.tools import lab
from bpcore.tools.labserver import free_port, fresh_jupyter_env, stop, wait_until_serving

pytestmark = pytest.mark.book

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_command_serves_the_repository_and_opens_the_first_chapter() -> None:
    command = lab.lab_command([], is_root=False)
    assert command[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert f"--ServerApp.root_dir={REPO_ROOT}" in command
    assert "--LabApp.default_url=/lab/tree/book/01_welcome.ipynb" in command
    assert f"--LabApp.app_settings_dir={lab.SETTINGS_DIR}" in command
    assert not any("allow_root" in part for part in command)


def test_root_gets_allow_root_and_options_pass_through() -> None:
    command = lab.lab_command(["--no-browser", "--port=8899"], is_root=True)
    assert "--ServerApp.allow_root=True" in command
    assert command[-2:] == ["--no-browser", "--port=8899"]


def test_a_chosen_notebook_opens_relative_to_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT / "book")
    command = lab.lab_command(["04_sigmoid.ipynb"], is_root=False)
    assert "--LabApp.default_url=/lab/tree/book/04_sigmoid.ipynb" in command


@pytest.mark.parametrize(("argv", "message"), [
    (["book/99_missing.ipynb"], "no such notebook: book/99_missing.ipynb"),
    (["a.ipynb", "b.ipynb"], "at most one notebook"),
])
def test_bad_arguments_are_named(argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        lab.lab_command(argv, is_root=False)


def test_notebook_outside_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "x.ipynb"
    outside.write_text("{}")
    with pytest.raises(SystemExit, match="outside the book's repository"):
        lab.lab_command([str(outside)], is_root=False)


def test_settings_turn_off_the_news_pop_up() -> None:
    overrides = json.loads((lab.SETTINGS_DIR / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {
        "fetchNews": "false", "checkForUpdates": False}


def test_settings_hide_nbgrader_from_readers() -> None:
    page_config = json.loads((lab.SETTINGS_DIR / "page_config.json").read_text())
    assert page_config["disabledExtensions"] == ["@jupyter/nbgrader"]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_launcher_starts_in_the_background_and_serves_the_lab_page(tmp_path: Path) -> None:
    """As the CI user, which is root on CI machines: plain ``jupyter lab`` refuses to start there."""
    port, token = free_port(), "bp" + os.urandom(8).hex()
    home = tmp_path / "home"
    home.mkdir()
    env = fresh_jupyter_env(home, tmp_path / "rt")
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bpcore.tools.lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, token, server, log, timeout=60)   # fails if the launcher exits (as root)
            status, page = _get(f"{base}/lab?token={token}")
            assert status == 200 and "JupyterLab" in page
            config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])
            assert "@jupyter/nbgrader" in config["disabledExtensions"]
            _, chapter = _get(f"{base}/api/contents/book/01_welcome.ipynb?content=0&token={token}")
            _, package = _get(f"{base}/api/contents/bpcore?content=0&token={token}")
            assert json.loads(chapter)["type"] == "notebook" and json.loads(package)["type"] == "directory"
            _, settings = _get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}")
            schema = json.loads(settings)["schema"]["properties"]   # overrides become the defaults
            assert schema["fetchNews"]["default"] == "false" and schema["checkForUpdates"]["default"] is False
        finally:
            stop(server)
