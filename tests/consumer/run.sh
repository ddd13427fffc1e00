#!/usr/bin/env bash
# The package as its users take it. install: `cmake --install` into a fresh prefix and checks what
# it holds; cpp-installed / cpp-build-tree: the C++ project of tests/consumer/cpp configured with
# find_package(ClientRisk) against the prefix or the build tree, built and run; add-subdirectory: the
# sources taken with add_subdirectory, which then build only the libraries; c-pkgconfig: the C
# program of tests/consumer/c built with `pkg-config --cflags --libs clientrisk` and run.
# Usage: run.sh STEP BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
step=$1 build=$2 source=$3 work=$4
prefix=$work/prefix
ledger=$source/examples/ledger.csv
expected='clientrisk 0\.1\.0: 40 clients, riskiest C000002 77\.6 critical'

fail() { echo "FAIL: $*" >&2; exit 1; }

consumer() {  # configure, build and run the C++ consumer in $1 with the extra cmake arguments after
  local dir=$1
  shift
  rm -rf "$dir"
  cmake -S "$source/tests/consumer/cpp" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" > "$dir.log" 2>&1 || { cat "$dir.log"; fail "configure"; }
  cmake --build "$dir" -j2 >> "$dir.log" 2>&1 || { cat "$dir.log"; fail "build"; }
  "$dir/consumer_cpp" "$ledger" | tee /dev/stderr | grep -Eq "^$expected$" || fail "consumer_cpp printed otherwise"
  "$dir/consumer_headers" || fail "consumer_headers"
  "$dir/consumer_c_target" "$ledger" C000002 | grep -q ": 40 clients, C000002 77.6$" || fail "consumer_c_target"
}

case $step in
  install)
    rm -rf "$work" && mkdir -p "$work"
    cmake --install "$build" --prefix "$prefix" > "$work/install.log"
    libdir=$(dirname "$(find "$prefix" -name 'libclientrisk.so.1' -print -quit)")
    [ -f "$libdir/libclientrisk.so.1" ] || fail "no libclientrisk.so.1 under $prefix"
    readelf -d "$libdir/libclientrisk.so.1" | grep -q 'SONAME.*\[libclientrisk.so.1\]' || fail "SONAME is not libclientrisk.so.1"
    [ -L "$libdir/libclientrisk.so" ] || fail "no libclientrisk.so link"
    for f in "$libdir/libclientrisk-cpp.a" "$libdir/pkgconfig/clientrisk.pc" "$libdir/cmake/ClientRisk/ClientRiskConfig.cmake" \
             "$libdir/cmake/ClientRisk/ClientRiskConfigVersion.cmake" "$libdir/cmake/ClientRisk/ClientRiskTargets.cmake" \
             "$prefix/include/clientrisk/clientrisk.h" "$prefix/include/clientrisk/clientrisk.hpp" \
             "$prefix/include/clientrisk/detail/hash.hpp" "$prefix/bin/clientrisk" \
             "$prefix/share/doc/ClientRisk/README.md" "$prefix/share/doc/ClientRisk/c-api.md"; do
      [ -e "$f" ] || fail "not installed: ${f#$prefix/}"
    done
    "$prefix/bin/clientrisk" version | grep -q '0.1.0' || fail "the installed command"
    echo "installed into $prefix: $(find "$prefix" -type f | wc -l) files"
    ;;
  cpp-installed)
    consumer "$work/cpp-installed" -DCMAKE_PREFIX_PATH="$prefix" -DCLIENTRISK_WANTED=0.1
    # SameMajorVersion: another major version is not this package.
    if cmake -S "$source/tests/consumer/cpp" -B "$work/cpp-wrong-major" -DCMAKE_PREFIX_PATH="$prefix" \
         -DCLIENTRISK_WANTED=1.0 > "$work/cpp-wrong-major.log" 2>&1; then
      fail "find_package(ClientRisk 1.0) accepted version 0.1.0"
    fi
    grep -q 'ClientRiskConfig.cmake, version: 0.1.0' "$work/cpp-wrong-major.log" || fail "no version mismatch reported"
    ;;
  cpp-build-tree)
    consumer "$work/cpp-build-tree" -DClientRisk_DIR="$build"
    ;;
  add-subdirectory)
    dir=$work/subdir
    rm -rf "$dir"
    cmake -S "$source/tests/consumer/subdir" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCLIENTRISK_SOURCE_DIR="$source" \
      > "$dir.log" 2>&1 || { cat "$dir.log"; fail "configure"; }
    targets=$(cmake --build "$dir" --target help)
    for t in clientrisk_unit_tests clientrisk_cli clientrisk_python clientrisk_bench install clientrisk_docs; do
      if grep -qx "\.\.\. $t" <<< "$targets"; then fail "add_subdirectory made the target $t"; fi
    done
    cmake --build "$dir" -j2 --target consumer_cpp >> "$dir.log" 2>&1 || { cat "$dir.log"; fail "build"; }
    "$dir/consumer_cpp" "$ledger" | tee /dev/stderr | grep -Eq "^$expected$" || fail "consumer_cpp printed otherwise"
    ;;
  c-pkgconfig)
    pc=$(find "$prefix" -name clientrisk.pc -print -quit)
    export PKG_CONFIG_PATH=$(dirname "$pc")
    pkg-config --exists 'clientrisk >= 0.1' || fail "pkg-config does not find clientrisk >= 0.1"
    flags=$(pkg-config --cflags --libs clientrisk)
    echo "pkg-config --cflags --libs clientrisk: $flags"
    cc -std=c99 -Wall -Wextra -pedantic -Werror "$source/tests/consumer/c/main.c" $flags \
       -Wl,-rpath,"$(pkg-config --variable=libdir clientrisk)" -o "$work/c-pkgconfig"
    "$work/c-pkgconfig" "$ledger" C000002 | tee /dev/stderr | grep -Eq '^libclientrisk 0\.1\.0 \(ABI 1\): 40 clients, C000002 77\.6$' \
      || fail "the C consumer printed otherwise"
    ;;
  *) fail "unknown step $step" ;;
esac
