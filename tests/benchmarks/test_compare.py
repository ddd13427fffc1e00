"""benchmarks/compare on small benchmark files written by the tests: normalisation, threshold,
exit codes and errors."""
import json
import pathlib
import subprocess
import sys

import pytest

COMPARE = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "compare"


def run(name, items, bytes_per_s=None, **extra):
    r = {"name": name + "/real_time", "run_name": name + "/real_time", "run_type": "iteration",
         "items_per_second": items}
    if bytes_per_s is not None:
        r["bytes_per_second"] = bytes_per_s
    r.update(extra)
    return r


def write(tmp_path, filename, runs):
    path = tmp_path / filename
    path.write_text(json.dumps({"context": {}, "benchmarks": runs}))
    return path


def compare(*args):
    p = subprocess.run([sys.executable, str(COMPARE), *map(str, args)], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def machine(tmp_path, filename, bandwidth, features, post, extra=()):
    return write(tmp_path, filename, [run("BM_Memory_Read/threads:1", bandwidth / 8, bandwidth),
                                      run("BM_Memory_Read/threads:2", bandwidth / 6, bandwidth * 4 / 3),
                                      run("BM_Score_Features/rows:1000000/threads:1", features),
                                      run("BM_Score_Features/rows:1000000/threads:2", features * 1.8),
                                      run("BM_Ledger_Post", post), *extra])


def test_a_slower_machine_with_the_same_code_passes(tmp_path):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    slow = machine(tmp_path, "slow.json", 10e9, 20e6, 1.5e6)  # everything half as fast
    code, out, _ = compare(base, slow)
    assert code == 0, out
    assert "3 compared" in out and "passed" in out
    line = next(l for l in out.splitlines() if l.startswith("BM_Ledger_Post"))
    assert line.split()[-3:] == ["0.50", "1.00", "ok"]  # raw ratio 0.5, normalised 1.0


def test_a_path_slower_than_the_threshold_fails_and_is_named(tmp_path):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    worse = machine(tmp_path, "worse.json", 20e9, 40e6, 2.1e6)  # posting at 0.70
    code, out, _ = compare(base, worse)
    assert code == 1
    line = next(l for l in out.splitlines() if l.startswith("BM_Ledger_Post"))
    assert line.split()[-2:] == ["0.70", "SLOWER"]
    assert "FAILED" in out
    assert compare(base, worse, "--threshold", "0.6")[0] == 0
    assert compare(base, worse, "--filter", "Score_Features")[0] == 0


def test_threaded_runs_are_normalised_by_the_reference_with_as_many_threads(tmp_path):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    # Same single-thread bandwidth, but two threads read 2x more than in the baseline: the
    # two-thread scoring must keep up with that.
    runs = json.loads(base.read_text())["benchmarks"]
    runs[1]["bytes_per_second"] *= 2
    result = write(tmp_path, "result.json", runs)
    code, out, _ = compare(base, result)
    assert code == 1
    line = next(l for l in out.splitlines() if "threads:2" in l and l.startswith("BM_Score"))
    assert line.split()[-2:] == ["0.50", "SLOWER"]


def test_best_repetition_and_median_aggregates(tmp_path):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    result = write(tmp_path, "result.json", [
        run("BM_Memory_Read/threads:1", 18e9 / 8, 18e9), run("BM_Memory_Read/threads:1", 20e9 / 8, 20e9),
        run("BM_Ledger_Post", 1e6), run("BM_Ledger_Post", 3e6), run("BM_Ledger_Post", 2e6),
        {"name": "BM_Score_Features/rows:1000000/threads:1_median", "run_name": "BM_Score_Features/rows:1000000/threads:1/real_time",
         "run_type": "aggregate", "aggregate_name": "median", "items_per_second": 40e6},
        {"name": "BM_Score_Features/rows:1000000/threads:1_mean", "run_name": "BM_Score_Features/rows:1000000/threads:1/real_time",
         "run_type": "aggregate", "aggregate_name": "mean", "items_per_second": 1.0},
    ])
    code, out, _ = compare(base, result)
    assert code == 0, out
    lines = {l.split()[0]: l.split() for l in out.splitlines()[1:-1]}
    assert lines["BM_Ledger_Post/real_time"][-2:] == ["1.00", "ok"]
    assert lines["BM_Score_Features/rows:1000000/threads:1/real_time"][-2:] == ["1.00", "ok"]
    assert lines["BM_Score_Features/rows:1000000/threads:2/real_time"][-1] == "run"  # "not run"


def test_new_benchmarks_and_errors(tmp_path):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    result = machine(tmp_path, "result.json", 20e9, 40e6, 3e6,
                     extra=[run("BM_Calibrate_Fit", 5e5)])
    code, out, _ = compare(base, result)
    assert code == 0 and "BM_Calibrate_Fit/real_time" in out and " new" in out
    failed = machine(tmp_path, "failed.json", 20e9, 40e6, 3e6)
    runs = json.loads(failed.read_text())["benchmarks"]
    runs[-1] = {"name": "BM_Ledger_Post/real_time", "run_name": "BM_Ledger_Post/real_time",
                "run_type": "iteration", "error_occurred": True, "error_message": "engine refused"}
    failed.write_text(json.dumps({"benchmarks": runs}))
    code, out, _ = compare(base, failed)
    assert code == 1 and "ERROR: engine refused" in out


@pytest.mark.parametrize("content, message", [
    ("{not json", "bad.json:1: not JSON"),
    ('{"context": {}}', "bad.json: no 'benchmarks' list"),
    ('{"benchmarks": [{"run_name": "BM_Ledger_Post", "items_per_second": "fast"}]}',
     "bad.json: benchmarks[0] (BM_Ledger_Post): items_per_second is not a number"),
    ('{"benchmarks": [{"run_name": "BM_Ledger_Post/real_time", "items_per_second": 5}]}',
     "bad.json: no BM_Memory_Read run"),
])
def test_bad_files_exit_2_naming_the_file(tmp_path, content, message):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, out, err = compare(base, bad)
    assert code == 2
    assert message in err
    code, _, err = compare(base, tmp_path / "missing.json")
    assert code == 2 and "missing.json: cannot read" in err


def test_usage_errors_exit_2(tmp_path):
    base = machine(tmp_path, "base.json", 20e9, 40e6, 3e6)
    assert compare(base)[0] == 2
    assert compare(base, base, "--threshold", "0")[0] == 2
    assert compare(base, base, "--filter", "(")[0] == 2
    code, out, _ = compare(base, base)
    assert code == 0 and "1.00" in out
