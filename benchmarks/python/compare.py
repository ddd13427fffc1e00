"""clientrisk from Python side by side with what it replaces, every figure a ratio from one run.

1. score_features on a feature matrix: against the C library on the same matrix (through ctypes,
   so the difference is the binding's cost), per-call overhead, two threads against one, and a
   vectorised numpy implementation of the same formulas (numpy_formulas.py).
2. post_frame of an events DataFrame then scores(): against pandas groupby code computing the same
   24 features (pandas_features.py), checked equal to the engine's first.
3. score_features against scikit-learn's predict_proba of a logistic regression of the same size
   (24 features in, one probability out) on the same matrix: what an analyst would deploy instead.
4. calibrate (Newton) against scikit-learn's LogisticRegression (lbfgs, no penalty) fitting the same
   1 000 000 x 8 data, checked to agree; auc against sklearn.metrics.roc_auc_score.

usage: PYTHONPATH=build/release/python /usr/bin/python3 benchmarks/python/compare.py
       [--rows 1000000] [--clients 40000] [--fit-rows 1000000] [--lib build/release/libclientrisk.so]
       [--json out.json]
"""
import argparse
import ctypes
import json
import pathlib
import statistics
import sys
import threading
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import clientrisk as cr  # noqa: E402
import ledger  # noqa: E402
import numpy_formulas  # noqa: E402
import pandas_features  # noqa: E402


def timed(function, repeat):
    """Median wall time of repeat calls, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        function()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def paired(first, second, repeat):
    """Median over repeat rounds of (time of first) / (time of second), run back to back and in
    alternating order, so that the machine's drift between rounds cancels; and each one's median time."""
    ratios, times = [], ([], [])
    for i in range(repeat):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        took = [0.0, 0.0]
        for k in order:
            t = time.perf_counter()
            (first, second)[k]()
            took[k] = time.perf_counter() - t
        ratios.append(took[0] / took[1])
        times[0].append(took[0])
        times[1].append(took[1])
    return statistics.median(ratios), statistics.median(times[0]), statistics.median(times[1])


def c_scorer(lib_path):
    lib = ctypes.CDLL(str(lib_path))
    f = lib.cr_score_features
    f.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p,
                  ctypes.c_void_p, ctypes.c_void_p]
    f.restype = ctypes.c_int

    def score(x, out, bands):
        status = f(x.ctypes.data, x.shape[0], 24, 24, None, out.ctypes.data, bands.ctypes.data)
        if status != 0:
            raise RuntimeError(f"cr_score_features failed with status {status}")
    return score


def feature_matrix(rows, clients):
    e = cr.Engine()
    e.post_frame(ledger.events(clients, seed=2))
    base = np.stack([e.score(c).features for c in e.clients])
    return np.ascontiguousarray(np.resize(base, (rows, 24)))


def compare_features(args, results):
    x = feature_matrix(args.rows, 5000)
    repeat = args.repeat
    out, bands = np.empty(len(x)), np.empty(len(x), dtype=np.uint8)
    score_c = c_scorer(args.lib)
    score_c(x, out, bands)
    assert np.array_equal(out, cr.score_features(x)[0]), "the C library and the binding disagree"
    c_over_py, c_med, py_med = paired(lambda: score_c(x, out, bands), lambda: cr.score_features(x), repeat)
    np_med = timed(lambda: numpy_formulas.score_features(x), max(1, repeat // 2))
    assert np.allclose(numpy_formulas.score_features(x)[0], out, rtol=0, atol=1e-9), "numpy formulas disagree"

    half = len(x) // 2
    parts = [x[:half], x[half:]]

    def two_threads():
        threads = [threading.Thread(target=cr.score_features, args=(p,)) for p in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    one_over_two, _, _ = paired(lambda: cr.score_features(x), two_threads, repeat)

    one = x[:1]
    calls = 20000
    per_call = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            cr.score_features(one)
        per_call.append((time.perf_counter() - t) / calls)

    rows = len(x)
    results["score_features"] = {
        "rows": rows,
        "python_rows_per_s": rows / py_med,
        "c_rows_per_s": rows / c_med,
        "python_over_c": c_over_py,
        "numpy_rows_per_s": rows / np_med,
        "speedup_over_numpy": np_med / py_med,
        "two_threads_speedup": one_over_two,
        "per_call_us": statistics.median(per_call) * 1e6,
    }


def compare_sklearn(args, results):
    from sklearn.linear_model import LogisticRegression

    x = feature_matrix(args.rows, 5000)
    scores = cr.score_features(x)[0]
    # A model of the same size: 24 coefficients and an intercept, fitted to tell the riskier
    # half of these rows, so that its probabilities are not degenerate.
    rng = np.random.default_rng(4)
    sample = rng.choice(len(x), 20000, replace=False)
    scale = x[sample].std(axis=0) + 1e-9
    y = scores[sample] > np.median(scores[sample])
    model = LogisticRegression(max_iter=1000).fit(x[sample] / scale, y)
    xs = np.ascontiguousarray(x / scale)
    sk_over_cr, sk_med, cr_med = paired(lambda: model.predict_proba(xs), lambda: cr.score_features(x), args.repeat)
    results["sklearn"] = {
        "rows": len(x),
        "predict_proba_rows_per_s": len(x) / sk_med,
        "score_features_rows_per_s": len(x) / cr_med,
        "speedup_over_predict_proba": sk_over_cr,
    }


def compare_calibration(args, results):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(9)
    X = rng.normal(size=(args.fit_rows, 8))
    eta = -1 + X @ np.array([0.5, -0.5, 0.0, 0.5, -0.5, 0.0, 0.5, -0.5])
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-eta))).astype(float)
    fit = cr.calibrate(X, y)
    sk = LogisticRegression(penalty=None, solver="lbfgs", max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.fit(X, y)
        if np.abs(sk.coef_[0] - fit.coef).max() > 1e-3:
            raise AssertionError("scikit-learn's coefficients differ from calibrate's")
        repeat = max(1, args.repeat // 3)
        if not np.array_equal(cr.calibrate(X, y, threads=2).coef, fit.coef):
            raise AssertionError("calibrate's coefficients depend on the threads")
        sk_over_cr, sk_med, cr_med = paired(lambda: LogisticRegression(penalty=None, solver="lbfgs", max_iter=1000).fit(X, y),
                                            lambda: cr.calibrate(X, y), repeat)
        sk_over_cr2, _, cr2_med = paired(lambda: LogisticRegression(penalty=None, solver="lbfgs", max_iter=1000).fit(X, y),
                                         lambda: cr.calibrate(X, y, threads=2), repeat)
    scores = np.round(rng.random(args.fit_rows) + 0.3 * y, 3)
    if abs(cr.auc(scores, y) - roc_auc_score(y, scores)) > 1e-12:
        raise AssertionError("auc differs from roc_auc_score")
    auc_over, sk_auc, cr_auc = paired(lambda: roc_auc_score(y, scores), lambda: cr.auc(scores, y), args.repeat)
    results["calibration"] = {
        "rows": len(X),
        "columns": 8,
        "calibrate_s": cr_med,
        "sklearn_fit_s": sk_med,
        "speedup_over_sklearn_fit": sk_over_cr,
        "calibrate_2_threads_s": cr2_med,
        "speedup_over_sklearn_fit_2_threads": sk_over_cr2,
        "auc_s": cr_auc,
        "sklearn_auc_s": sk_auc,
        "speedup_over_roc_auc_score": auc_over,
    }


def compare_events(args, results):
    events = ledger.events(args.clients, seed=3)
    as_of = events["date"].max()

    def with_clientrisk():
        e = cr.Engine()
        e.post_frame(events)
        return e.scores(as_of)

    expected = pandas_features.features(events, as_of)
    e = cr.Engine()
    e.post_frame(events)
    engine_features = np.stack([e.score(c, as_of).features for c in expected.index])
    if not np.allclose(expected.to_numpy(), engine_features, rtol=1e-9, atol=1e-9):
        raise AssertionError("pandas features differ from the engine's")
    repeat = max(1, args.repeat // 2)
    post_med = timed(lambda: cr.Engine().post_frame(events), repeat)
    pd_over_cr, pd_med, cr_med = paired(lambda: pandas_features.features(events, as_of), with_clientrisk, repeat)
    results["events"] = {
        "rows": len(events),
        "clients": args.clients,
        "clientrisk_s": cr_med,
        "post_frame_rows_per_s": len(events) / post_med,
        "pandas_features_s": pd_med,
        "speedup_over_pandas": pd_over_cr,
    }


def main():
    here = pathlib.Path(__file__).resolve()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of the feature matrix")
    p.add_argument("--clients", type=int, default=40_000, help="clients of the events DataFrame (26 events each)")
    p.add_argument("--fit-rows", type=int, default=1_000_000, help="rows of the calibration comparison")
    p.add_argument("--repeat", type=int, default=9, help="rounds of each timing (medians are reported)")
    p.add_argument("--lib", default=str(here.parents[2] / "build" / "release" / "libclientrisk.so"))
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args()
    results = {"clientrisk": cr.__version__}
    compare_features(args, results)
    compare_events(args, results)
    compare_sklearn(args, results)
    compare_calibration(args, results)
    f, ev, sk, cal = results["score_features"], results["events"], results["sklearn"], results["calibration"]
    print(f"score_features, {f['rows']} rows: {f['python_rows_per_s'] / 1e6:.1f} M rows/s from Python, "
          f"{f['c_rows_per_s'] / 1e6:.1f} M rows/s from C on the same matrix")
    print(f"  Python / C throughput        {f['python_over_c']:.3f}")
    print(f"  per call (one row)           {f['per_call_us']:.2f} us")
    print(f"  two threads / one            {f['two_threads_speedup']:.2f}x faster")
    print(f"  over vectorised numpy        {f['speedup_over_numpy']:.1f}x faster")
    print(f"events, {ev['rows']} rows of {ev['clients']} clients: post_frame then scores() in "
          f"{ev['clientrisk_s']:.2f} s ({ev['post_frame_rows_per_s'] / 1e6:.2f} M rows/s posted), "
          f"pandas features in {ev['pandas_features_s']:.2f} s")
    print(f"  over pandas groupby          {ev['speedup_over_pandas']:.1f}x faster")
    print(f"scikit-learn LogisticRegression.predict_proba, {sk['rows']} rows x 24: "
          f"{sk['predict_proba_rows_per_s'] / 1e6:.1f} M rows/s, score_features {sk['score_features_rows_per_s'] / 1e6:.1f} M rows/s")
    print(f"  over predict_proba           {sk['speedup_over_predict_proba']:.2f}x faster")
    print(f"calibrate on {cal['rows']} rows x {cal['columns']}: {cal['calibrate_s']:.2f} s, "
          f"scikit-learn LogisticRegression (lbfgs) {cal['sklearn_fit_s']:.2f} s")
    print(f"  over LogisticRegression.fit  {cal['speedup_over_sklearn_fit']:.1f}x faster on one thread, "
          f"{cal['speedup_over_sklearn_fit_2_threads']:.1f}x on two ({cal['calibrate_2_threads_s']:.2f} s)")
    print(f"auc of {cal['rows']} scores: {cal['auc_s'] * 1e3:.0f} ms, roc_auc_score {cal['sklearn_auc_s'] * 1e3:.0f} ms")
    print(f"  over roc_auc_score           {cal['speedup_over_roc_auc_score']:.1f}x faster")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
