"""clientrisk.calibrate against statsmodels' Logit, and the metrics against scikit-learn and scipy."""
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sklearn.metrics
import statsmodels.api as sm

import clientrisk as cr


def simulate(n, coef, intercept, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(coef)))
    p = 1 / (1 + np.exp(-(intercept + X @ np.asarray(coef))))
    return X, (rng.random(n) < p).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coefficients_and_standard_errors_equal_statsmodels(seed):
    X, y = simulate(5000, [0.8, -0.4, 0.2, 0.0, 1.1], -0.7, seed)
    fit = cr.calibrate(X, y)
    ref = sm.Logit(y, sm.add_constant(X, prepend=False)).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
    ours = np.append(fit.coef, fit.intercept)
    np.testing.assert_allclose(ours, ref.params, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(np.append(fit.std_error, fit.intercept_std_error), ref.bse, rtol=1e-6)
    assert fit.log_likelihood == pytest.approx(ref.llf, rel=1e-10)
    assert fit.converged and fit.iterations < 20
    np.testing.assert_allclose(fit.predict_proba(X), ref.predict(sm.add_constant(X, prepend=False)), rtol=1e-6)


def test_l2_solves_the_penalised_score_equations_and_non_negative_holds():
    X, y = simulate(3000, [1.0, -0.8, 0.5], 0.2, 4)
    fit = cr.calibrate(X, y, l2=50.0)
    plain = cr.calibrate(X, y)
    assert np.linalg.norm(fit.coef) < np.linalg.norm(plain.coef)
    p = fit.predict_proba(X)
    assert np.abs(X.T @ (y - p) - 50.0 * fit.coef).max() < 1e-7 and abs((y - p).sum()) < 1e-7
    nn = cr.calibrate(X, y, non_negative=True)
    assert nn.coef[1] == 0.0 and nn.std_error[1] == 0.0 and nn.coef[0] > 0 and nn.coef[2] > 0


def test_a_dataframe_keeps_its_columns():
    X, y = simulate(500, [1.0, 0.5], 0.0, 5)
    fit = cr.calibrate(pd.DataFrame(X, columns=["paydex", "overdue"]), y)
    assert fit.columns == ["paydex", "overdue"]
    assert "LogisticFit(columns=2" in repr(fit)


def test_bad_inputs_raise_invalid_input():
    X, y = simulate(200, [1.0, 0.5], 0.0, 6)
    X2 = X.copy()
    X2[5, 1] = np.nan
    with pytest.raises(cr.InvalidInputError, match="row 5, column 1"):
        cr.calibrate(X2, y)
    with pytest.raises(cr.InvalidInputError, match="both classes"):
        cr.calibrate(X, np.zeros(len(y)))
    const = X.copy()
    const[:, 0] = 1.0
    with pytest.raises(cr.InvalidInputError, match="column 0 is constant"):
        cr.calibrate(const, y)
    assert np.isfinite(cr.calibrate(const, y, l2=1.0).coef).all()
    sep = np.array([[-2.0], [-1.0], [1.0], [2.0]] * 5)
    with pytest.raises(cr.InvalidInputError, match="separate"):
        cr.calibrate(sep, (sep[:, 0] > 0).astype(float))
    with pytest.raises(cr.InvalidInputError, match="too few"):
        cr.calibrate(X[:3], y[:3])
    with pytest.raises(cr.InvalidInputError, match="2-D"):
        cr.calibrate(X[:, 0], y)
    with pytest.raises(cr.InvalidInputError, match="expected numbers"):
        cr.calibrate(np.array([["a", "b"]] * 10), y[:10])
    with pytest.raises(cr.InvalidInputError, match="expected 2 columns"):
        cr.calibrate(X, y).predict_proba(X[:, :1])


def test_auc_and_gini_equal_scikit_learn_with_ties():
    rng = np.random.default_rng(7)
    for n in (10, 1000, 100000):
        y = (rng.random(n) < 0.3).astype(float)
        y[0], y[1] = 0, 1
        scores = np.round(rng.random(n) + 0.3 * y, 2)  # many ties
        assert cr.auc(scores, y) == pytest.approx(sklearn.metrics.roc_auc_score(y, scores), abs=1e-12)
        assert cr.gini(scores, y) == pytest.approx(2 * sklearn.metrics.roc_auc_score(y, scores) - 1, abs=1e-12)
        ks = scipy.stats.ks_2samp(scores[y == 1], scores[y == 0]).statistic
        assert cr.ks(scores, y) == pytest.approx(ks, abs=1e-12)
    assert cr.auc([1, 1, 1], [0, 1, 0]) == 0.5


def test_brier_log_loss_calibration_and_psi():
    rng = np.random.default_rng(8)
    p = rng.random(1000)
    y = (rng.random(1000) < p).astype(float)
    assert cr.brier(p, y) == pytest.approx(sklearn.metrics.brier_score_loss(y, p), rel=1e-12)
    assert cr.log_loss(p, y) == pytest.approx(sklearn.metrics.log_loss(y, p), rel=1e-12)
    table = cr.calibration_table(p, y)
    assert list(table.columns) == ["rows", "lowest", "highest", "mean_predicted", "observed_rate"]
    assert table["rows"].sum() == 1000 and len(table) == 10
    assert (np.diff(table["mean_predicted"]) > 0).all()
    assert cr.psi(p, p) == 0.0
    assert cr.psi(p, np.clip(p + 0.3, 0, 1)) > 0.25
    with pytest.raises(cr.InvalidInputError, match="scores but"):
        cr.auc([0.1, 0.2], [0, 1, 1])
    with pytest.raises(cr.InvalidInputError, match="not within"):
        cr.brier([1.5], [1])
    with pytest.raises(cr.InvalidInputError, match="1-D"):
        cr.psi(np.zeros((2, 2)), [1.0])


def test_backtest_equals_scoring_as_of_each_date_and_outcomes_follow_the_rule():
    rows = [
        ("2024-01-01", "a", "invoice", "A1", "1000.00", "2024-01-31", ""),
        ("2024-05-01", "a", "payment", "A1", "1000.00", "", ""),
        ("2024-01-01", "b", "invoice", "B1", "1000.00", "2024-01-31", ""),
        ("2024-02-15", "b", "payment", "B1", "1000.00", "", ""),
        ("2024-01-10", "e", "invoice", "E1", "200.00", "2024-02-09", ""),
        ("2024-02-09", "e", "payment", "E1", "200.00", "", ""),
        ("2024-09-01", "e", "legal_notice", "", "", "", "lawsuit"),
        ("2024-12-31", "z", "invoice", "Z1", "100.00", "2025-01-30", ""),
    ]
    events = pd.DataFrame(rows, columns=["date", "client", "kind", "ref", "amount", "due", "detail"])
    bt = cr.backtest(events, ["2024-04-15", "2024-02-01"], horizon=180)
    assert list(bt.columns[:4]) == ["client", "as_of", "score", "band"]
    assert set(cr.FACTORS) <= set(bt.columns) and set(cr.FEATURES) <= set(bt.columns)
    feb = bt[bt.as_of == "2024-02-01"].set_index("client")
    apr = bt[bt.as_of == "2024-04-15"].set_index("client")
    assert feb.outcome.to_dict() == {"a": 1, "b": 0, "e": 0}
    assert apr.outcome.to_dict() == {"a": 1, "b": 0, "e": 1}
    e = cr.Engine()
    e.post_frame(events)
    s = e.score("b", "2024-02-01")
    assert feb.loc["b", "score"] == s.score
    assert list(feb.loc["b", list(cr.FEATURES)]) == list(s.features)
    assert cr.backtest(events, "2024-02-01", horizon=30).set_index("client").outcome["a"] == 0
    assert cr.backtest(events, "2024-04-15", lawsuit=False).set_index("client").outcome["e"] == 0
    with pytest.raises(cr.InvalidInputError, match="after the latest event"):
        cr.backtest(events, "2024-10-01")
    bad = events.copy()
    bad.loc[3, "amount"] = "ten"
    with pytest.raises(cr.InvalidInputError, match="row 3: amount"):
        cr.backtest(bad, "2024-02-01")


def test_german_credit_cross_validated_auc_matches_scikit_learn():
    # Statlog German Credit (tests/data/SOURCES.md): 13 categorical attributes one-hot encoded
    # (first level dropped), 7 numeric ones standardised; 1 good, 2 bad.
    import pathlib

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    path = pathlib.Path(__file__).resolve().parents[1] / "data" / "german.data"
    frame = pd.read_csv(path, sep=" ", header=None)
    y = (frame.pop(20) == 2).astype(float).to_numpy()
    categorical = [c for c in frame.columns if frame[c].dtype == object]
    X = pd.get_dummies(frame, columns=categorical, drop_first=True, dtype=float)
    numeric = [c for c in frame.columns if c not in categorical]
    X[numeric] = (X[numeric] - X[numeric].mean()) / X[numeric].std()
    X = X.to_numpy()
    ours, theirs = [], []
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y):
        fit = cr.calibrate(X[train], y[train], l2=1.0)
        ours.append(cr.auc(fit.predict_proba(X[test]), y[test]))
        # scikit-learn's C is 1 / l2 for the same penalty on the summed log-likelihood.
        sk = LogisticRegression(C=1.0, max_iter=5000).fit(X[train], y[train])
        theirs.append(cr.auc(sk.predict_proba(X[test])[:, 1], y[test]))
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.01
    assert 0.74 < np.mean(ours) < 0.84  # the published 0.78-0.80, give or take the folds


def test_a_calibrated_model_scores_the_fitted_probability(ledger):
    events = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    bt = cr.backtest(events, ["2024-03-31", "2024-06-30"], horizon=180)
    model, fit = cr.calibrated_model(bt, l2=1e-3)
    assert model.calibrated == 1 and model.calibration_intercept == fit.intercept
    assert model.fingerprint != cr.Model.default().fingerprint
    e = cr.Engine(model)
    e.post_frame(events)
    scores = e.scores("2024-03-31")
    first = bt[bt.as_of == "2024-03-31"].set_index("client")
    np.testing.assert_allclose(scores.loc[first.index, "score"], 100 * fit.predict_proba(first[list(cr.FACTORS)]),
                               rtol=0, atol=1e-9)
    again = pickle.loads(pickle.dumps(model))
    assert again == model
    with pytest.raises(cr.InvalidInputError, match="calibrated"):
        cr.Model(calibrated=0.5).validate()


def test_a_scorecard_model_scores_points_of_the_fitted_odds(ledger):
    events = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    bt = cr.backtest(events, ["2024-03-31"], horizon=180)
    model, fit = cr.calibrated_model(bt, l2=1e-3, points=(600, 0.02, 20))
    assert model.calibrated == 2 and (model.points_base, model.points_odds, model.points_pdo) == (600, 0.02, 20)
    assert cr.scorecard_model(cr.calibrated_model(bt, l2=1e-3)[0], 600, 0.02, 20) == model
    e = cr.Engine(model)
    e.post_frame(events)
    scores = e.scores("2024-03-31").loc[bt.client]
    p = fit.predict_proba(bt[list(cr.FACTORS)])
    np.testing.assert_allclose(scores.score, 600 + 20 * np.log2(p / (1 - p) / 0.02), rtol=0, atol=1e-7)
    # The high band starts at 50 %: odds 1, log2(50) doublings above the base.
    assert model.band_high == pytest.approx(600 + 20 * np.log2(50), abs=1e-9)
    with pytest.raises(cr.InvalidInputError, match="not calibrated"):
        cr.scorecard_model(cr.Model.default(), 600, 0.02, 20)
    with pytest.raises(cr.InvalidInputError, match="points_odds"):
        cr.scorecard_model(model, 600, -1, 20)


def test_backtest_of_an_engine_that_keeps_its_history(ledger):
    events = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    dates = ["2024-03-31", "2024-06-30"]
    expected = cr.backtest(events, dates, horizon=180)
    e = cr.Engine(keep_history=True)
    assert e.keeps_history
    e.post_frame(events.iloc[:500])
    for row in events.iloc[500:510].itertuples(index=False):
        e.post(row.date, row.client, row.kind, row.ref or None, row.amount or None, row.due or None, row.detail or None)
    e.post_frame(events.iloc[510:])
    pd.testing.assert_frame_equal(cr.backtest(e, dates, horizon=180), expected)
    # Its model is the default one for the backtest; posting more later extends the history.
    model = cr.Model(band_high=40)
    m = cr.Engine(model, keep_history=True)
    m.import_csv(str(ledger))
    pd.testing.assert_frame_equal(cr.backtest(m, dates, horizon=180), cr.backtest(events, dates, horizon=180, model=model))
    with pytest.raises(cr.InvalidInputError, match="keep_history=True"):
        cr.backtest(cr.Engine(), dates, horizon=180)
    with pytest.raises(cr.InvalidInputError, match="imports strictly"):
        m.import_csv(str(ledger), lenient=True)
    # A lenient post keeps only the rows it applied.
    bad = pd.concat([events, pd.DataFrame([{"date": "2024-13-01", "client": "Z", "kind": "invoice"}])], ignore_index=True)
    lenient = cr.Engine(keep_history=True)
    report = lenient.post_frame(bad, lenient=True)
    assert report.rejected
    pd.testing.assert_frame_equal(cr.backtest(lenient, dates, horizon=180), expected)
