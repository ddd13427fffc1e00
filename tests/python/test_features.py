import threading
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import clientrisk as cr


@pytest.fixture(scope="module")
def explained(ledger):
    e = cr.Engine()
    e.import_csv(ledger)
    return [e.score(c) for c in e.clients]


def test_score_features_equals_the_per_client_path(explained):
    x = np.stack([s.features for s in explained])
    scores, bands = cr.score_features(x)
    assert scores.dtype == np.float64 and bands.dtype == np.uint8
    assert list(scores) == [s.score for s in explained]
    assert [cr.BANDS[b] for b in bands] == [s.band for s in explained]
    frame = pd.DataFrame(x, columns=cr.FEATURES)[list(reversed(cr.FEATURES))].assign(other=1)
    by_name, _ = cr.score_features(frame)
    assert list(by_name) == list(scores)
    model = cr.Model(weights={"legal": 0})
    assert not np.array_equal(cr.score_features(x, model)[0], scores)


def test_other_dtypes_and_orders_are_converted(explained):
    x = np.stack([s.features for s in explained])
    expected = cr.score_features(x)[0]
    assert np.array_equal(cr.score_features(np.asfortranarray(x))[0], expected)
    wide = np.zeros((len(x), 30))
    wide[:, 3:27] = x
    assert np.array_equal(cr.score_features(wide[:, 3:27])[0], expected)
    assert np.array_equal(cr.score_features(x[::-1])[0], expected[::-1])
    rounded = np.round(x).astype(np.int64)
    assert np.array_equal(cr.score_features(rounded)[0], cr.score_features(rounded.astype(np.float64))[0])
    x32 = x.astype(np.float32)
    assert np.array_equal(cr.score_features(x32)[0], cr.score_features(x32.astype(np.float64))[0])
    assert cr.score_features(np.zeros((0, 24)))[0].shape == (0,)


def peak_extra_bytes(function, *args):
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


def test_no_copy_of_a_float64_matrix(explained):
    rows = 400_000
    base = np.stack([s.features for s in explained])
    x = np.ascontiguousarray(np.resize(base, (rows, 24)))  # 76.8 MB
    outputs = rows * 9  # the scores and the bands
    assert peak_extra_bytes(cr.score_features, x) < outputs + 1_000_000
    wide = np.zeros((rows, 26))
    wide[:, 1:25] = x
    assert peak_extra_bytes(cr.score_features, wide[:, 1:25]) < outputs + 1_000_000
    # The measure sees copies: a Fortran-ordered matrix is converted, at the cost of one.
    assert peak_extra_bytes(cr.score_features, np.asfortranarray(x)) > x.nbytes


def test_bad_matrices():
    x = np.zeros((3, 24))
    x[2, cr.FEATURES.index("rating_mean")] = np.nan
    with pytest.raises(cr.InvalidInputError, match="feature matrix row 2: rating_mean"):
        cr.score_features(x)
    with pytest.raises(ValueError, match=r"expected 24 columns \(clientrisk.FEATURES\), got 23"):
        cr.score_features(np.zeros((3, 23)))
    with pytest.raises(cr.InvalidInputError, match="expected a 2-D array of 24 columns, got 1 dimension"):
        cr.score_features(np.zeros(24))
    with pytest.raises(cr.InvalidInputError, match="expected numbers, got dtype object"):
        cr.score_features(np.zeros((2, 24), dtype=object))
    with pytest.raises(cr.InvalidInputError, match="expected a 2-D numpy array or a DataFrame, got a list"):
        cr.score_features([[0.0] * 24])
    with pytest.raises(cr.InvalidInputError, match="the DataFrame has no column 'paydex'"):
        cr.score_features(pd.DataFrame(np.zeros((2, 24))))
    bad_model = cr.Model(band_moderate=80)
    with pytest.raises(cr.InvalidInputError, match="band_moderate"):
        cr.score_features(np.zeros((1, 24)), bad_model)


def test_threads_scoring_halves_give_the_one_thread_result(explained):
    base = np.stack([s.features for s in explained])
    x = np.ascontiguousarray(np.resize(base, (200_000, 24)))
    expected = cr.score_features(x)[0]
    half = len(x) // 2
    out = [None, None]

    def work(i, part):
        out[i] = cr.score_features(part)[0]

    threads = [threading.Thread(target=work, args=(0, x[:half])), threading.Thread(target=work, args=(1, x[half:]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.array_equal(np.concatenate(out), expected)


def test_the_threads_argument_gives_the_same_bits(explained):
    base = np.stack([s.features for s in explained])
    x = np.ascontiguousarray(np.resize(base, (50_000, 24)))
    scores, bands = cr.score_features(x)
    for threads in (2, 3, 0):
        s, b = cr.score_features(x, threads=threads)
        assert s.tobytes() == scores.tobytes() and np.array_equal(b, bands)
    for bad in (-1, 1025):
        with pytest.raises(cr.InvalidInputError, match="threads"):
            cr.score_features(x, threads=bad)
