#!/usr/bin/env bash
# The Python package as analysts install it, without the network: a copy of the source tree,
# `pip install --no-build-isolation` into a venv made with --system-site-packages, then
# `python -m build --no-isolation --wheel` and the wheel installed into a second venv; each
# installed package imports and scores the bundled ledger as the command line does.
# Usage: python.sh SOURCE_DIR WORK_DIR
set -euo pipefail
source=$1 work=$2
python=/usr/bin/python3
ledger=$source/examples/ledger.csv
unset PYTHONPATH
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work/src"
for f in CMakeLists.txt pyproject.toml setup.py README.md include src bindings cmake; do cp -r "$source/$f" "$work/src/"; done
rm -rf "$work"/src/bindings/python/*.egg-info
export CLIENTRISK_BUILD_DIR=$work/cmake-build CMAKE_BUILD_PARALLEL_LEVEL=2

check() {  # the package installed in venv $1 imports from it and scores like the command line
  (cd "$work" && "$1/bin/python" - "$1" "$ledger" <<'PY'
import pathlib, sys
import clientrisk
venv, ledger = sys.argv[1:]
where = pathlib.Path(clientrisk.__file__).resolve()
assert where.is_relative_to(pathlib.Path(venv).resolve()), f"imported from {where}, not the venv"
assert clientrisk.__version__ == "0.1.0", clientrisk.__version__
engine = clientrisk.Engine()
report = engine.import_csv(ledger)
score = engine.score("C000002")
assert (report.accepted, round(score.score, 1), score.band) == (4031, 77.6, "critical"), (report, score.score)
print(f"clientrisk {clientrisk.__version__} from {where.parent}: C000002 {score.score:.1f} {score.band}")
PY
  )
}

"$python" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install --no-build-isolation --no-index --quiet "$work/src" || fail "pip install"
check "$work/venv"

"$work/venv/bin/python" -m build --no-isolation --wheel --outdir "$work/dist" "$work/src" > "$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log"; fail "python -m build"; }
wheel=$(ls "$work"/dist/clientrisk-0.1.0-*.whl)
"$python" - "$wheel" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = {"clientrisk/__init__.py", "clientrisk/_core.pyi", "clientrisk/py.typed", "clientrisk-0.1.0.dist-info/METADATA"}
missing = need - names
assert not missing, f"missing from the wheel: {missing}"
assert any(n.startswith("clientrisk/_core") and n.endswith(".so") for n in names), "no clientrisk/_core*.so in the wheel"
print(f"{sys.argv[1].rsplit('/', 1)[1]}: {len(names)} files")
PY
"$python" -m venv --system-site-packages "$work/venv-wheel"
"$work/venv-wheel/bin/python" -m pip install --no-index --quiet "$wheel" || fail "pip install of the wheel"
check "$work/venv-wheel"
