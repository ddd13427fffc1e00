"""The references benchmarks/python/compare.py measures clientrisk against compute what clientrisk
computes: the pandas features equal the engine's, the numpy formulas its scores."""
import sys

import numpy as np
import pytest

import clientrisk as cr


@pytest.fixture(scope="module")
def references(source_dir):
    sys.path.insert(0, str(source_dir / "benchmarks" / "python"))
    import ledger
    import numpy_formulas
    import pandas_features
    return ledger, numpy_formulas, pandas_features


def test_pandas_features_and_numpy_formulas_agree_with_the_engine(references):
    ledger, numpy_formulas, pandas_features = references
    events = ledger.events(1500, seed=5)
    assert set(events["kind"].astype(str)) == set(cr.EVENT_KINDS)
    engine = cr.Engine()
    assert engine.post_frame(events).accepted == len(events)
    as_of = events["date"].max()
    expected = pandas_features.features(events, as_of)
    scores = engine.scores(as_of)
    got = np.stack([engine.score(c, as_of).features for c in expected.index])
    assert (expected.to_numpy() != 0).any(axis=0).all(), "every feature is exercised"
    np.testing.assert_allclose(expected.to_numpy(), got, rtol=1e-9, atol=1e-9)
    s, b = numpy_formulas.score_features(got)
    np.testing.assert_allclose(s, scores.loc[expected.index, "score"].to_numpy(), rtol=0, atol=1e-9)
    assert list(b) == list(scores.loc[expected.index, "band"].cat.codes)
