"""Engine.actions, worklist, credit_limits, alerts, provisions, portfolio; roll_rates and loss_rates."""
import datetime

import numpy as np
import pandas as pd
import pytest

import clientrisk as cr

AS_OF = datetime.date(2024, 6, 30)


def days(n):
    return (AS_OF + datetime.timedelta(days=n)).isoformat()


@pytest.fixture()
def bundled(ledger):
    events = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    e = cr.Engine()
    e.post_frame(events)
    return e, events


def test_actions_one_per_client_and_code_most_urgent_first(bundled):
    e, _ = bundled
    a = e.actions()
    assert list(a.columns) == ["code", "priority", "amount_cents", "deadline", "reason"]
    assert a.index.name == "client" and len(a) > 0
    assert not a.reset_index().duplicated(["client", "code"]).any()
    assert set(a.code.cat.categories) == set(cr.ACTIONS)
    assert a.priority.is_monotonic_increasing
    ladder = a[a.code.isin(["preventive_reminder", "payment_reminder", "formal_notice"])]
    assert not ladder.index.duplicated().any()  # never two reminders for one client
    assert (a.amount_cents >= 0).all()
    assert str(a.deadline.dtype).startswith("datetime64")


def test_french_texts_with_the_same_codes(ledger):
    events = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    en, fr = cr.Engine(), cr.Engine()
    fr.language = "fr"
    assert fr.language == "fr" and en.language == "en"
    for e in (en, fr):
        e.post_frame(events)
    a, b = en.actions(), fr.actions()
    assert list(a.code) == list(b.code) and list(a.amount_cents) == list(b.amount_cents)
    notices = b[b.code == "formal_notice"].reason
    assert len(notices) > 0 and notices.str.contains("au total").all() and notices.str.contains(",").all()
    with pytest.raises(cr.InvalidInputError, match="language"):
        fr.language = "de"


def test_worklist_value_is_the_product_of_its_parts(bundled):
    e, _ = bundled
    w = e.worklist()
    assert w.value.is_monotonic_decreasing
    np.testing.assert_allclose(w.value, w.at_stake_cents / 100 * w.likelihood * w.urgency, rtol=1e-12)
    np.testing.assert_allclose(w.urgency, w.days_past_due / (w.days_past_due + 30), rtol=1e-12)
    np.testing.assert_allclose(w.likelihood, w.score / 100, rtol=1e-12)
    assert (w.at_stake_cents > 0).all()


def test_open_orders_and_limits_change_the_exposure_and_the_holds(bundled):
    e, _ = bundled
    c = e.credit_limits()
    client = c[~c.over_limit & (c.limit_cents > 0)].index[0]
    room = int(c.loc[client, "limit_cents"] - c.loc[client, "exposure_cents"])
    at_limit = e.credit_limits(open_orders={client: f"{room // 100}.{room % 100:02d}"})
    assert at_limit.loc[client, "exposure_cents"] == c.loc[client, "limit_cents"] and not at_limit.loc[client, "over_limit"]
    over = e.actions(open_orders=pd.Series({client: (room + 1) / 100}))
    assert "credit_hold" in list(over.loc[[client]].code)
    given = e.credit_limits(credit_limits={client: 0})
    assert given.loc[client, "limit_cents"] == 0 and given.loc[client, "recommended_cents"] == c.loc[client, "recommended_cents"]
    with pytest.raises(cr.InvalidInputError, match="open orders: client 'NOBODY'"):
        e.actions(open_orders={"NOBODY": 1})
    with pytest.raises(cr.InvalidInputError, match="open_orders"):
        e.actions(open_orders={client: "12.345"})
    with pytest.raises(cr.InvalidInputError, match="dict or a pandas Series"):
        e.actions(open_orders=[1, 2])


def small_ledger():
    rows = [
        (days(-29), "A", "invoice", "A1", "1200.00", days(5), ""),
        (days(-75), "A", "invoice", "A2", "600.00", days(-45), ""),
        (days(-130), "A", "invoice", "A3", "2400.00", days(-100), ""),
        (days(-90), "A", "dispute_opened", "A3", "1200.00", "", "quality"),
        (days(-40), "B", "invoice", "B1", "3600.00", days(-10), ""),
        (days(-15), "B", "legal_notice", "", "", "", "lawsuit"),
    ]
    return pd.DataFrame(rows, columns=["date", "client", "kind", "ref", "amount", "due", "detail"])


def test_provisions_of_a_small_ledger_checked_by_hand():
    e = cr.Engine()
    e.post_frame(small_ledger())
    p = e.provisions(AS_OF, vat_rate=0.2)
    assert p.attrs["buckets"] == ["current", "1-30", "31-60", "61-90", "91-180", "181-365", "> 365"]
    assert p.loc["A", "expected_current_cents"] == 500 and p.loc["A", "expected_91-180_cents"] == 25000
    assert p.loc["A", "specific_cents"] == 50000 and p.loc["A", "provision_cents"] == 78000
    assert p.loc["B", "litigation"] and p.loc["B", "specific_cents"] == 300000
    assert p.attrs["provision_cents"] == 378000
    with pytest.raises(cr.InvalidInputError, match="7 buckets but 2 loss rates"):
        e.provisions(AS_OF, loss_rates=[0.1, 0.2])


def test_roll_rates_and_loss_rates_of_a_history(bundled):
    e, events = bundled
    rr = cr.roll_rates(events, months=3)
    assert list(rr.index) == ["current", "1-30", "31-60", "61-90", "> 90"]
    assert rr.loss_rate.is_monotonic_increasing and (rr.loss_rate <= 1).all()
    k = len(rr) - 2
    np.testing.assert_allclose(rr.loss_rate.iloc[k],
                               min(1, rr.write_off_rate.iloc[k] + rr.roll_rate.iloc[k] * rr.loss_rate.iloc[k + 1]), rtol=1e-12)
    rates = cr.loss_rates(events)
    assert len(rates) == 7 and np.all(np.diff(rates) >= 0)
    p = e.provisions(loss_rates=rates)
    assert p.attrs["loss_rates"] == list(rates)


def test_portfolio_of_known_shares():
    e = cr.Engine()
    e.post_frame(pd.DataFrame({"date": ["2024-05-01"] * 3, "client": ["A", "B", "C"], "kind": "invoice",
                               "ref": ["1", "2", "3"], "amount": ["5000", "3000", "2000"], "due": "2024-05-31"}))
    p = e.portfolio(AS_OF)
    assert p["hhi"] == pytest.approx(3800) and p["clients_for_80_percent"] == 2 and p["top1_share"] == 0.5
    assert p["receivables_cents"] == 1_000_000 and p["bands"].clients.sum() == 3
    assert p["bands"].expected_loss_cents.sum() == p["expected_loss_cents"]


def test_alerts_between_two_dates(bundled):
    e, _ = bundled
    a = e.alerts("2024-06-30")
    assert len(a) > 0 and list(a.columns) == ["band_from", "band_to", "score_from", "score_to", "text"]
    assert (a.band_from != a.band_to).all()
    assert a.attrs["since"] == datetime.date(2024, 6, 30)
    with pytest.raises(cr.InvalidInputError):
        e.alerts("2024-01-31")  # before a date the engine has scored at
