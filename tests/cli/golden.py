#!/usr/bin/env python3
"""Runs one case of tests/golden/cases.txt and compares its output with the golden file.

A case is `NAME EXIT ARGS...`, run from the source tree: NAME.txt (or NAME itself when it has an
extension, as report.html) holds the expected standard output of a command that exits EXIT 0
(standard error must then be empty); NAME.err the expected standard error of one that fails
(standard output must then be empty).
With CLIENTRISK_UPDATE_GOLDEN=1 the golden file is rewritten instead: review the diff before
committing it.
"""
import difflib
import os
import shlex
import subprocess
import sys


def load_case(cases_path, name):
    with open(cases_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = shlex.split(line)
            if len(fields) < 3 or not fields[1].isdigit():
                sys.exit(f"{cases_path}:{number}: expected NAME EXIT ARGS..., got {line.strip()!r}")
            if fields[0] == name:
                return int(fields[1]), fields[2:]
    sys.exit(f"{cases_path}: no case {name!r}")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: golden.py CLI SOURCE_DIR CASE")
    cli, source_dir, name = sys.argv[1:]
    golden_dir = os.path.join(source_dir, "tests", "golden")
    expected_exit, args = load_case(os.path.join(golden_dir, "cases.txt"), name)
    run = subprocess.run([cli, *args], cwd=source_dir, capture_output=True, timeout=120,
                         env={**os.environ, "LC_ALL": "C.UTF-8"})
    stdout, stderr = run.stdout.decode("utf-8"), run.stderr.decode("utf-8")
    failed = expected_exit != 0
    kept, other, suffix = (stderr, stdout, ".err") if failed else (stdout, stderr, "" if "." in name else ".txt")
    path = os.path.join(golden_dir, name + suffix)
    command = "clientrisk " + shlex.join(args)
    if run.returncode != expected_exit:
        sys.exit(f"{command}: exit {run.returncode}, expected {expected_exit}\nstderr:\n{stderr}")
    if other:
        sys.exit(f"{command}: unexpected {'stdout' if failed else 'stderr'}:\n{other}")
    if os.environ.get("CLIENTRISK_UPDATE_GOLDEN") == "1":
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(kept)
        print(f"updated {path}")
        return
    if not os.path.exists(path):
        sys.exit(f"{path}: missing; run with CLIENTRISK_UPDATE_GOLDEN=1 to write it")
    with open(path, encoding="utf-8", newline="") as f:
        golden = f.read()
    if kept != golden:
        diff = difflib.unified_diff(golden.splitlines(True), kept.splitlines(True), path, command)
        sys.stdout.writelines(diff)
        sys.exit(f"{command}: output differs from {path} (CLIENTRISK_UPDATE_GOLDEN=1 rewrites it)")
    print(f"{command}: matches {os.path.relpath(path, source_dir)}")


if __name__ == "__main__":
    main()
