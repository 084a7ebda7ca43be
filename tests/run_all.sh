#!/usr/bin/env bash
# The one test command of Backprop, Live:   bash tests/run_all.sh
# On a fresh machine it installs what it needs (Python packages, Debian's chromium), then runs every
# stage, keeps going after a failure, prints each stage's duration and ends with one summary line.
set -u
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
PY=${PYTHON:-python3}
RESULTS=$(mktemp -d)
declare -a SUMMARY=()
FAILED=0

stage() {  # stage NAME COMMAND...: run, time, remember the outcome
  local name=$1; shift
  echo; echo "=== stage: $name ==="
  local start=$SECONDS
  "$@"; local rc=$?
  local took=$((SECONDS - start))
  SUMMARY+=("$(printf '%-22s %4ds  %s' "$name" "$took" "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  [ $rc -eq 0 ] || FAILED=1
  echo "=== $name: ${took}s, exit $rc ==="
}

install() {
  $PY -m pip install -q -r requirements.txt || return 1
  $PY -m pip install -q -r benchmarks/requirements.txt || return 1   # PyTorch, for bench_train's comparison only
  local missing=""
  command -v chromium >/dev/null 2>&1 || missing="chromium"
  command -v npm >/dev/null 2>&1 || missing="$missing npm"   # npm: for axe-core below
  if [ -n "$missing" ]; then
    local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null || return 1
  fi
  chromium --version
  # axe-core (npm) for the accessibility test, into tests/browser/node_modules (git-ignored)
  [ -f tests/browser/node_modules/axe-core/axe.min.js ] ||
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix tests/browser axe-core@4 || return 1
}

pytest_stage() {  # pytest_stage ID ARGS...: pytest with a junit report for the final count
  local id=$1; shift
  $PY -m pytest -p no:cacheprovider --junitxml="$RESULTS/$id.xml" "$@"
  local rc=$?
  [ $rc -eq 5 ] && { echo "no tests collected in stage $id"; return 1; }
  return $rc
}

lint() {  # ruff (rules in pyproject.toml) on the package, benchmarks and tests; mypy on bpcore (files= in pyproject.toml)
  local rc=0
  $PY -m ruff check bpcore benchmarks tests || rc=1
  $PY -m mypy || rc=1
  return $rc
}

stage "install"          install
stage "lint"             lint
# two workers (pytest-xdist); --dist loadscope keeps a module's tests, and a notebook's cells, on one worker
PARALLEL=(-n 2 --dist loadscope)
stage "unit tests"       pytest_stage unit -q "${PARALLEL[@]}" tests --ignore=tests/browser
stage "notebooks (nbval)" pytest_stage nbval -q "${PARALLEL[@]}" --nbval --nbval-current-env \
                           --nbval-sanitize-with tests/nbval_sanitize.cfg book/
stage "book build"       $PY -m bpcore.tools.build
stage "pdf build"        $PY -m bpcore.tools.pdf
browser_tests() {
  # the built book's pages (static HTML: axe, phone, dark mode, offline loading, the PDF) on two workers;
  # the tests that drive a JupyterLab (one measures key press -> redraw latency) or the live book's
  # JupyterLite (Pyodide in the page) alone on the machine
  local rc=0 LAB=(tests/browser/test_jupyterlab.py tests/browser/test_jupyterlab_myst.py tests/browser/test_live.py)
  pytest_stage browser-pages -q -rP "${PARALLEL[@]/loadscope/load}" tests/browser "${LAB[@]/#/--ignore=}" || rc=1
  pytest_stage browser-lab -q -rP "${LAB[@]}" || rc=1   # -rP: show the measured latency
  return $rc
}
stage "browser tests"    browser_tests
benchmarks() {
  local rc=0
  $PY benchmarks/bench_train.py || rc=1
  $PY benchmarks/bench_panel.py || rc=1
  $PY benchmarks/bench_chapter_panels.py --repeats 10 || rc=1
  $PY benchmarks/bench_browser_panels.py --presses 6 || rc=1   # every chapter's first panel in JupyterLab
  $PY benchmarks/bench_lite.py --only 03 08 11 || rc=1   # the live book (~50 s a chapter): the tested chapters
  return $rc
}
stage "benchmarks"       benchmarks

echo; echo "=== stage timings ==="
printf '%s\n' "${SUMMARY[@]}"
$PY - "$RESULTS" <<'PYEOF'
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        t, f, e, s = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        passed += t - f - e - s; failed += f + e; skipped += s
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
PYEOF
exit $FAILED
