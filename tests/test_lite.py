"""The live book's vendoring (bpcore.tools.lite): every Pyodide file is checked against the official lock file."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from bpcore.tools import lite


def fake_pyodide(folder, files: dict[str, bytes], lock_version: str = "0.27.7"):
    """A Pyodide distribution folder whose lock file lists ``files`` with their true sha256."""
    folder.mkdir()
    for name in lite.CORE_FILES:
        (folder / name).write_bytes(b"core " + name.encode())
    packages = {}
    for name in lite.PYODIDE_PACKAGES:
        file_name = f"{name}-1.0-py3-none-any.whl"
        body = files.get(file_name, f"wheel {name}".encode())
        (folder / file_name).write_bytes(body)
        packages[name] = {"name": name, "file_name": file_name, "depends": [],
                          "sha256": hashlib.sha256(f"wheel {name}".encode()).hexdigest()}
    packages["unused"] = {"name": "unused", "file_name": "unused.whl", "depends": [], "sha256": "0" * 64}
    lock = {"info": {"version": lock_version}, "packages": packages}
    (folder / lite.LOCK_FILE).write_text(json.dumps(lock))
    return folder


def test_vendoring_ships_what_the_lock_lists_and_trims_the_lock(tmp_path):
    src = fake_pyodide(tmp_path / "dist", {})
    trimmed = lite.vendor_pyodide(src, src, tmp_path / "out")
    assert sorted(trimmed["packages"]) == sorted(lite.PYODIDE_PACKAGES)   # "unused" is not shipped
    shipped = json.loads((tmp_path / "out" / lite.LOCK_FILE).read_text())
    assert shipped == trimmed and not (tmp_path / "out" / "unused.whl").exists()
    assert all((tmp_path / "out" / name).is_file() for name in lite.CORE_FILES)


def test_a_tampered_wheel_stops_the_build_with_a_clear_message(tmp_path):
    src = fake_pyodide(tmp_path / "dist", {"numpy-1.0-py3-none-any.whl": b"not numpy"})
    with pytest.raises(lite.VendorError, match=r"sha256 mismatch for numpy-1\.0-py3-none-any\.whl.*Refusing"):
        lite.vendor_pyodide(src, src, tmp_path / "out")
    assert not (tmp_path / "out" / "numpy-1.0-py3-none-any.whl").exists()
    # the book build's path: prepare_lite_dir (called when Sphinx's builder starts) raises the same error
    with pytest.raises(lite.VendorError, match="sha256 mismatch for numpy"):
        lite.prepare_lite_dir(tmp_path / "lite", "f" * 64, pyodide_dir=src, cache=tmp_path / "cache")


def test_a_missing_wheel_and_a_wrong_pyodide_version_are_named(tmp_path):
    src = fake_pyodide(tmp_path / "dist", {})
    (src / "micropip-1.0-py3-none-any.whl").unlink()
    with pytest.raises(lite.VendorError, match="micropip-1.0-py3-none-any.whl .*missing"):
        lite.vendor_pyodide(src, src, tmp_path / "out")
    other = fake_pyodide(tmp_path / "other", {}, lock_version="0.29.0")
    with pytest.raises(lite.VendorError, match="needs Pyodide 0.27.x"):
        lite.vendor_pyodide(other, other, tmp_path / "out2")


def test_live_notebook_installs_bpcore_only_under_pyodide_and_drops_outputs():
    nb = {"cells": [{"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [{"output_type": "stream"}],
                     "source": "x = 1"}], "metadata": {"widgets": {"big": 1}}, "nbformat": 4, "nbformat_minor": 5}
    live = lite.live_notebook(nb)
    first = live["cells"][0]
    assert first["metadata"]["tags"] == [lite.INSTALL_TAG]
    assert 'if sys.platform == "emscripten":' in first["source"] and "piplite.install([\"bpcore\"])" in first["source"]
    assert live["cells"][1]["outputs"] == [] and live["cells"][1]["execution_count"] is None
    assert "widgets" not in live["metadata"] and nb["cells"][0]["outputs"]   # the original is untouched
    # in CPython (JupyterLab, nbval) the cell does nothing: the top-level await is never reached
    code = first["source"].replace("await ", "")
    exec(compile(code, "install", "exec"), {})


def test_launch_url_is_relative_to_the_page():
    assert lite.launch_url("book/03_chain_rule", "03_chain_rule.ipynb") == \
        "../lite/lab/index.html?path=03_chain_rule.ipynb"
    assert lite.launch_url("index", "a.ipynb") == "lite/lab/index.html?path=a.ipynb"


def test_jupyterlab_does_not_load_the_lite_kernels_extension():
    """The Pyodide kernel's extension works only in JupyterLite; JupyterLab loads every installed extension
    (disabling one does not stop it loading) and this one fails there with a console error. So the build
    installs the kernel into its cache (lite.install_lite_kernel), never where JupyterLab looks."""
    from jupyter_core.paths import jupyter_path
    installed = [folder for folder in jupyter_path("labextensions")
                 if (Path(folder) / lite.KERNEL_EXTENSION / "package.json").is_file()]
    assert not installed, f"{lite.KERNEL_EXTENSION} is installed for JupyterLab in {installed}"


def test_the_lite_build_finds_the_kernel_it_installed(tmp_path, monkeypatch):
    """use_lite_kernel: the package first on PYTHONPATH (for jupyter lite build's subprocess), the extension
    in the build configuration."""
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    lite.use_lite_kernel(tmp_path / "site", tmp_path / "labextensions", tmp_path)
    assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(tmp_path / "site"), "/elsewhere"]
    config = json.loads((tmp_path / "jupyter_lite_config.json").read_text())
    assert config["FederatedExtensionAddon"]["extra_labextensions_path"] == [str(tmp_path / "labextensions")]
    assert config["LiteBuildConfig"]["no_sourcemaps"] is True
