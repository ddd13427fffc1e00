import copy
import pickle

import pytest

import clientrisk as cr


def test_default_model_is_the_built_in_one(cli_json):
    m = cr.Model.default()
    assert m == cr.Model()
    assert m.fingerprint == cli_json["model_fingerprint"]
    assert m.weights == dict(zip(cr.FACTORS, [0.35, 0.15, 0.08, 0.06, 0.04, 0.07, 0.25]))
    assert m.band_high == 50.0
    assert set(m.to_dict()) == {"weights", *cr.PARAMETERS}


def test_parameters_are_attributes_checked_on_assignment():
    m = cr.Model()
    m.band_high = 55
    assert m.band_high == 55.0
    assert m != cr.Model()
    assert m.fingerprint != cr.Model().fingerprint
    with pytest.raises(cr.InvalidInputError, match=r"band_high must be in \[0, 100\], got 120"):
        m.band_high = 120
    with pytest.raises(ValueError, match="paydex_severe must be a number, got a str"):
        m.paydex_severe = "30"
    with pytest.raises(cr.InvalidInputError, match="must be a number, got a bool"):
        m.rating_good = True
    with pytest.raises(cr.InvalidInputError, match="band_high must be in .*got nan"):
        m.band_high = float("nan")
    with pytest.raises(AttributeError):
        m.band_low = 3  # not a parameter: no silent new attribute
    assert m.band_high == 55.0


def test_weights_mapping():
    m = cr.Model(weights={"legal": 0.5})
    assert m.weights["legal"] == 0.5 and m.weights["non_payment"] == 0.35
    m.weights = {"non_payment": 1}
    assert m.weights["non_payment"] == 1.0
    with pytest.raises(cr.InvalidInputError, match="weights: unknown factor 'legl'"):
        m.weights = {"legl": 1}
    with pytest.raises(cr.InvalidInputError, match=r"weights.legal must be in \[0, 1e6\]"):
        m.weights = {"non_payment": 2, "legal": -1}
    assert m.weights["non_payment"] == 1.0, "a rejected mapping changes nothing"


def test_keyword_construction_and_validation():
    m = cr.Model(band_moderate=30, band_high=60, band_critical=80)
    m.validate()
    assert cr.Model(**m.to_dict()) == m
    with pytest.raises(cr.InvalidInputError, match="unknown parameter 'band'"):
        cr.Model(band=3)
    bad = cr.Model(band_moderate=70)
    with pytest.raises(cr.InvalidInputError, match=r"band_moderate \(70\) must be below band_high \(50\)"):
        bad.validate()
    with pytest.raises(cr.InvalidInputError, match="band_moderate"):
        cr.Engine(bad)
    assert "invalid: band_moderate" in repr(bad)


def test_repr_shows_weights_changed_parameters_and_fingerprint():
    r = repr(cr.Model(band_high=55))
    assert r.startswith("Model(weights={'non_payment': 0.35,")
    assert "band_high=55" in r and "band_critical" not in r
    assert "fingerprint='" + cr.Model(band_high=55).fingerprint[:12] in r


def test_save_and_load(tmp_path, source_dir):
    m = cr.Model(review_half_life_days=200, weights={"seasonality": 0})
    for fmt in ("xml", "binary"):
        path = tmp_path / f"model.{fmt}"
        m.save(path, format=fmt)
        assert cr.Model.load(path) == m
    golden = cr.Model.load(str(source_dir / "tests" / "data" / "model-v1.xml"))  # written by version 1
    assert golden == cr.Model.load(source_dir / "tests" / "data" / "model-v1.bin")
    assert golden.weights["non_payment"] == 0.1 and golden != cr.Model()
    with pytest.raises(cr.InvalidInputError, match="format must be 'xml' or 'binary'"):
        m.save(tmp_path / "m", format="json")


def test_bad_model_files(tmp_path):
    path = tmp_path / "model.xml"
    cr.Model().save(path)
    data = bytearray(path.read_bytes())
    data[-40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(cr.FormatError) as info:
        cr.Model.load(path)
    assert info.value.problem == "checksum_mismatch"
    assert isinstance(info.value, ValueError) and isinstance(info.value, cr.Error)
    assert str(path) in str(info.value)
    with pytest.raises(OSError) as missing:
        cr.Model.load(tmp_path / "absent.xml")
    assert isinstance(missing.value, cr.IoError)
    with pytest.raises(cr.IoError):
        cr.Model().save(tmp_path / "no" / "such" / "dir.xml")


def test_pickle_and_copy():
    m = cr.Model(band_high=61.25, weights={"reputation": 0.125})
    assert pickle.loads(pickle.dumps(m)) == m
    assert copy.copy(m) == m and copy.deepcopy(m) == m
    c = copy.copy(m)
    c.band_high = 60
    assert m.band_high == 61.25
    with pytest.raises(TypeError):
        hash(m)
