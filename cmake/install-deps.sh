#!/usr/bin/env bash
# Installs the Debian packages clientrisk builds with, only those that are missing.
set -euo pipefail
packages=(g++ cmake make libeigen3-dev libboost-serialization-dev googletest libgtest-dev libgmock-dev
          libbenchmark-dev libcli11-dev libssl-dev pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest
          python3-sklearn python3-statsmodels python3-html5lib chromium clang-14 libclang-rt-14-dev gcovr
          pkgconf python3-venv python3-pip python3-setuptools python3-wheel python3-build python3-pybind11
          python3-dask python3-distributed doxygen)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
