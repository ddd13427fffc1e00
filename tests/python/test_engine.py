import decimal
import pickle
import threading

import numpy as np
import pandas as pd
import pytest

import clientrisk as cr


@pytest.fixture()
def engine(ledger):
    e = cr.Engine()
    report = e.import_csv(ledger)
    assert report.rows == report.accepted == 4031 and report.rejected == []
    return e


def cents(text):
    units, frac = text.split(".")
    return int(units) * 100 + int(frac)


def test_scores_equal_the_command_line(engine, cli_json):
    df = engine.scores()
    assert len(df) == len(cli_json["clients"]) == len(engine) == 40
    assert df.attrs["as_of"].isoformat() == cli_json["as_of"]
    assert df.attrs["model_fingerprint"] == cli_json["model_fingerprint"]
    for c in cli_json["clients"]:
        row = df.loc[c["client"]]
        assert row["score"] == c["score"]  # bit for bit: the JSON has 17 significant digits
        assert row["band"] == c["band"]
        for f in cr.FACTORS:
            assert row[f"sub_{f}"] == c["sub_scores"][f]
            assert row[f"contribution_{f}"] == c["contributions"][f]
        assert row["reasons"] == " ".join(r["code"] for r in c["reasons"])
        assert row["reason_texts"] == "; ".join(r["text"] for r in c["reasons"])
        k = c["key_figures"]
        for name in ("outstanding", "overdue", "over_90", "credit_balance", "disputed", "revenue_12m"):
            assert row[f"{name}_cents"] == cents(k[name])
        for name in ("days_beyond_terms", "revenue_share", "open_invoices", "open_disputes"):
            assert row[name] == k[name]
        assert row["model_fingerprint"] == cli_json["model_fingerprint"]


def test_one_score_is_its_row(engine, cli_json):
    df = engine.scores()
    s = engine.score("C000002")
    assert s.client == "C000002" and s.as_of.isoformat() == "2024-12-31"
    assert s.score == df.loc["C000002", "score"] and s.band == "critical"
    assert sum(s.contributions.values()) == pytest.approx(s.score)
    assert [r.code for r in s.reasons] == df.loc["C000002", "reasons"].split()
    assert s.reasons[0].factor == "non_payment" and s.reasons[0].points == 35
    assert s.key_figures["open_invoices"] == 11
    assert s.model_fingerprint == cli_json["model_fingerprint"]
    assert s.features.shape == (24,)
    assert "C000002" in repr(s) and "'NP-OVER-90'" in repr(s)


def frames_equal(a, b):
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("reader", ["strings", "pandas_defaults", "typed"])
def test_post_frame_equals_import_csv(engine, ledger, reader):
    if reader == "strings":
        df = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    elif reader == "pandas_defaults":
        df = pd.read_csv(ledger)  # amounts as float64 with NaN, empty texts as NaN
    else:
        df = pd.read_csv(ledger, parse_dates=["date", "due"], dtype={"kind": "category", "client": "category"})
        assert df["date"].dtype.kind == "M" and df["kind"].dtype == "category"
    e = cr.Engine()
    report = e.post_frame(df)
    assert report.rows == report.accepted == len(df) and report.rejected == []
    frames_equal(e.scores(), engine.scores())


def test_post_frame_amount_cents_and_shuffled_rows(engine, ledger):
    df = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    df["amount_cents"] = [cents(a if "." in a else a + ".00") if a else None for a in df.pop("amount")]
    df["amount_cents"] = df["amount_cents"].astype("Int64")
    df = df.sample(frac=1.0, random_state=7)  # the order of posting does not change any score
    e = cr.Engine()
    e.post_frame(df)
    frames_equal(e.scores().sort_index(), engine.scores().sort_index())  # ledger order is that of posting


def test_post_one_event_in_every_form():
    forms = [dict(amount="1200.50"), dict(amount=decimal.Decimal("1200.50")), dict(amount=1200.5),
             dict(amount=np.float64(1200.5)), dict(amount_cents=120050)]
    scores = []
    for amount in forms:
        e = cr.Engine()
        e.post("2024-01-10", "A", "invoice", ref="F1", due=np.datetime64("2024-02-09"), **amount)
        e.post(pd.Timestamp("2024-03-01"), "A", "payment", ref="F1", amount="1000")
        e.post(np.datetime64("2024-03-02"), "A", "complaint", detail=4)
        s = e.score("A", as_of="2024-06-30")
        assert s.key_figures["outstanding_cents"] == 20050
        scores.append(s.score)
    assert len(set(scores)) == 1


@pytest.mark.parametrize("fields, message", [
    (dict(date="2024-02-30"), r"^date: '2024-02-30' is not a valid date"),
    (dict(kind="refund"), r"^kind: unknown kind 'refund' \(expected one of invoice, "),
    (dict(amount="12.345"), r"^amount: '12.345': amount has more than two decimals"),
    (dict(amount=1.005), r"^amount: '1.005': amount has more than two decimals"),
    (dict(amount="-5"), r"amount must be unsigned"),
    (dict(amount=True), r"^amount: a bool is not an amount"),
    (dict(client=""), r"^event 0: client: client is empty"),
    (dict(due="2023-12-01"), r"^event 0: due: due date 2023-12-01 is before the event date 2024-01-10"),
    (dict(date=pd.Timestamp("2024-01-10 12:00")), r"^date: .* has a time of day"),
    (dict(amount="1", amount_cents=100), r"give amount or amount_cents, not both"),
])
def test_post_rejects_bad_fields(fields, message):
    e = cr.Engine()
    event = dict(date="2024-01-10", client="A", kind="invoice", ref="F1", amount="10", due="2024-02-09")
    event.update(fields)
    with pytest.raises(cr.InvalidInputError, match=message):
        e.post(**event)
    assert len(e) == 0


def test_post_rejects_what_the_ledger_forbids():
    e = cr.Engine()
    e.post("2024-01-10", "A", "invoice", ref="F1", amount="10", due="2024-02-09")
    with pytest.raises(cr.InvalidInputError, match="duplicate invoice id 'F1' for this client"):
        e.post("2024-01-11", "A", "invoice", ref="F1", amount="10", due="2024-02-09")
    with pytest.raises(cr.InvalidInputError, match="payment for unknown invoice 'F9'"):
        e.post("2024-01-11", "A", "payment", ref="F9", amount="10")
    with pytest.raises(cr.InvalidInputError, match="rating must be 1 to 5, got '6'"):
        e.post("2024-01-11", "A", "review", detail=6)
    with pytest.raises(cr.InvalidInputError, match="unknown client 'B'"):
        e.score("B")
    e.score("A", as_of="2024-05-01")
    with pytest.raises(cr.InvalidInputError, match="as-of 2024-04-01 is before 2024-05-01"):
        e.score("A", as_of="2024-04-01")
    with pytest.raises(cr.InvalidInputError, match="as_of: 'yesterday' is not a valid date"):
        e.score("A", as_of="yesterday")


def bad_frame():
    return pd.DataFrame({
        "date": ["2024-01-10", "2024-01-11", "2024-01-12", "2024-01-13"],
        "client": ["A", "A", "B", "B"],
        "kind": ["invoice", "payment", "invoice", "review"],
        "ref": ["F1", "F1", "G1", None],
        "amount": ["100.00", "12.345", "50", None],
        "due": ["2024-02-09", None, "2024-02-11", None],
        "detail": [None, None, None, "6"],
    }, index=["a", "b", "c", "d"])


def test_post_frame_strict_names_the_row_and_applies_nothing():
    e = cr.Engine()
    with pytest.raises(cr.InvalidInputError,
                       match=r"^row 1 \(index 'b'\): amount: '12.345': amount has more than two decimals$"):
        e.post_frame(bad_frame())
    assert len(e) == 0
    df = bad_frame().drop(index="b")
    with pytest.raises(cr.InvalidInputError, match=r"^row 2 \(index 'd'\): detail: rating must be 1 to 5, got '6'$"):
        e.post_frame(df)
    assert len(e) == 0


def test_post_frame_lenient_reports_bad_rows_and_posts_the_others():
    e = cr.Engine()
    report = e.post_frame(bad_frame(), lenient=True)
    assert (report.rows, report.accepted) == (4, 2)
    assert [(r.row, r.label, r.column) for r in report.rejected] == [(1, "b", "amount"), (3, "d", "detail")]
    assert sorted(e.clients) == ["A", "B"]
    assert e.score("A").key_figures["outstanding_cents"] == 10000


def test_post_frame_checks_its_columns():
    e = cr.Engine()
    with pytest.raises(cr.InvalidInputError, match="missing column 'kind'"):
        e.post_frame(bad_frame().drop(columns="kind"))
    with pytest.raises(cr.InvalidInputError, match="either the column 'amount' or 'amount_cents'"):
        e.post_frame(bad_frame().assign(amount_cents=1))
    with pytest.raises(cr.InvalidInputError, match="expected a pandas DataFrame, got a dict"):
        e.post_frame({"date": []})
    df = bad_frame().iloc[:1].assign(amount=[np.inf])
    with pytest.raises(cr.InvalidInputError, match=r"^row 0 \(index 'a'\): amount: inf is not an amount"):
        e.post_frame(df)
    df = bad_frame().iloc[:1].assign(date=[20240110])
    with pytest.raises(cr.InvalidInputError, match="date: a number is not a date"):
        e.post_frame(df)
    empty = cr.Engine().post_frame(bad_frame().iloc[:0])
    assert (empty.rows, empty.accepted) == (0, 0)


def test_import_csv_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,client,kind,ref,amount,due,detail\n2024-01-10,A,invoice,F1,10,2024-02-09,\n"
                    "2024-02-30,A,payment,F1,10,,\n")
    e = cr.Engine()
    with pytest.raises(cr.FormatError, match=r"bad.csv:3: date: '2024-02-30' is not a valid date") as info:
        e.import_csv(path)
    assert info.value.problem is None and isinstance(info.value, cr.InvalidInputError)
    assert len(e) == 0
    report = e.import_csv(path, lenient=True)
    assert (report.rows, report.accepted, report.rejected[0].line, report.rejected[0].column) == (2, 1, 3, "date")
    with pytest.raises(OSError, match="absent.csv"):
        e.import_csv(tmp_path / "absent.csv")


def test_limits(tmp_path):
    e = cr.Engine(max_clients=1, max_events_per_client=2)
    assert (e.max_clients, e.max_events_per_client) == (1, 2)
    e.post("2024-01-05", "A", "invoice", "F1", "100", "2024-02-04")
    with pytest.raises(cr.InvalidInputError, match=r"client: a new client beyond max_clients \(1\)"):
        e.post("2024-01-06", "B", "complaint", detail=2)
    e.post("2024-01-07", "A", "payment", "F1", "40")
    with pytest.raises(cr.InvalidInputError, match=r"client: more events for this client than max_events_per_client \(2\)"):
        e.post("2024-01-08", "A", "payment", "F1", "60")
    e.max_events_per_client = None
    e.post("2024-01-08", "A", "payment", "F1", "60")
    assert e.max_events_per_client is None and e.score("A").key_figures["outstanding_cents"] == 0
    for bad in (0, -3):
        with pytest.raises(cr.InvalidInputError, match="max_clients: .* is not a positive number"):
            cr.Engine(max_clients=bad)

    path = tmp_path / "long.csv"
    path.write_text("date,client,kind,ref,amount,due,detail,note\n2024-01-05,A,complaint,,,,2,short\n"
                    "2024-01-06,A,review,,,,4," + "x" * 100 + "\n")
    with pytest.raises(cr.FormatError, match=r"long.csv:3: row is longer than max_row_bytes \(60\)"):
        cr.Engine().import_csv(path, max_row_bytes=60)
    with pytest.raises(cr.FormatError, match=r"long.csv:3: note: field is longer than 50 bytes"):
        cr.Engine().import_csv(path, max_field_bytes=50)
    with pytest.raises(cr.FormatError, match=r"long.csv: \d+ bytes, more than max_file_bytes \(100\)"):
        cr.Engine().import_csv(path, max_file_bytes=100)
    lenient = cr.Engine().import_csv(path, lenient=True, max_row_bytes=60)
    assert (lenient.accepted, lenient.rejected[0].line) == (1, 3)
    assert cr.Engine().import_csv(path, max_field_bytes=None, max_row_bytes=None).accepted == 2
    for bad in ("max_field_bytes", "max_row_bytes", "max_file_bytes"):
        e = cr.Engine()
        with pytest.raises(cr.InvalidInputError, match=f"{bad}: 0 is not a positive number"):
            e.import_csv(path, **{bad: 0})
        assert len(e) == 0


def test_portfolio_revenue(engine):
    own = engine.own_revenue_12m()
    assert own > 0 and engine.portfolio_revenue_12m is None
    before = engine.scores()
    with pytest.raises(cr.InvalidInputError, match="is negative"):
        engine.portfolio_revenue_12m = -1
    engine.portfolio_revenue_12m = own - 1
    with pytest.raises(cr.InvalidInputError, match="below this engine's own clients' revenue"):
        engine.scores()
    engine.portfolio_revenue_12m = 2 * own  # half the portfolio: every revenue share halves
    halved = engine.scores()
    assert (halved["revenue_share"] * 2 == before["revenue_share"]).all()
    engine.portfolio_revenue_12m = None
    pd.testing.assert_frame_equal(engine.scores(), before, check_exact=True)


def test_snapshots_and_pickling(engine, tmp_path):
    before = engine.scores()
    path = tmp_path / "state.crs"
    engine.save_snapshot(path)
    frames_equal(cr.Engine.load_snapshot(path).scores(), before)
    frames_equal(pickle.loads(pickle.dumps(engine)).scores(), before)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(cr.FormatError) as info:
        cr.Engine.load_snapshot(path)
    assert info.value.problem == "checksum_mismatch"
    with pytest.raises(cr.FormatError) as wrong:
        cr.Model.load(tmp_path / "state.crs")
    assert wrong.value.problem in ("wrong_kind", "checksum_mismatch")


def test_engine_properties(engine):
    assert engine.model == cr.Model()
    assert engine.fingerprint == cr.Model().fingerprint
    assert engine.clients[:2] == ["C000001", "C000016"]
    assert repr(engine).startswith("Engine(clients=40, latest_event=2024-12-31")
    with pytest.raises(cr.InvalidInputError, match="has no events"):
        cr.Engine().scores()


def test_threads_sharing_an_engine_score_like_one(engine):
    expected = engine.scores()
    ids = engine.clients
    singles = {c: engine.score(c).score for c in ids}
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(engine.scores())
                for c in ids:
                    assert engine.score(c).score == singles[c]
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 20
    for r in results:
        frames_equal(r, expected)


@pytest.mark.parametrize("column, value, message", [
    ("client", b"A", "client: a bytes is not a valid client"),
    ("client", ["A"], "client: a list is not a valid client"),
    ("client", "\ud800", "client: is not encodable as UTF-8"),
    ("client", "A\x00B", "client: client contains a control character"),
    ("ref", 1.5, "ref: the float 1.5 is not a valid ref"),
    ("amount", 2**70, "amount: '1180591620717411303424': amount is too large"),
    ("amount", decimal.Decimal("NaN"), "amount: NaN is not an amount"),
    ("amount", object(), "amount: a object is not an amount"),
    ("date", 3.5, "date: a float is not a date"),
    ("date", np.datetime64("2024-01-10T10:00"), "date: .* has a time of day"),
    ("date", np.datetime64("99999-01-01"), "date: .* outside the years 0001 to 9999"),
    ("due", "2024-13-01", "due: '2024-13-01' is not a valid date"),
    ("kind", None, "kind: kind is missing"),
    ("date", None, "date: date is missing"),
])
def test_post_frame_refuses_odd_values_without_crashing(column, value, message):
    df = bad_frame().iloc[:1].copy()
    df[column] = pd.Series([value], index=df.index, dtype=object)
    e = cr.Engine()
    with pytest.raises(cr.InvalidInputError, match=r"^row 0 \(index 'a'\): " + message):
        e.post_frame(df)
    assert len(e) == 0
    report = e.post_frame(df, lenient=True)
    assert (report.accepted, report.rejected[0].column) == (0, column)


def test_engine_threads_give_the_same_scores(ledger):
    one = cr.Engine()
    one.import_csv(ledger)
    many = cr.Engine(threads=3)
    many.import_csv(ledger)
    assert many.threads == 3
    pd.testing.assert_frame_equal(many.scores(), one.scores(), check_exact=True)
    many.threads = 0
    assert many.threads == 0
    with pytest.raises(cr.InvalidInputError, match="threads"):
        many.threads = -2
    with pytest.raises(cr.InvalidInputError, match="threads"):
        cr.Engine(threads=5000)
    assert many.threads == 0
