"""The 24 features of clientrisk.FEATURES computed with pandas groupby from an events DataFrame:
what an analyst would write without clientrisk. The formulas are those of docs/factors.md;
payments must name their invoice (see ledger.py).
"""
import numpy as np
import pandas as pd

import clientrisk as cr

PAYDEX_DAYS = [-30, -20, 0, 15, 22, 30, 60, 90, 120]
PAYDEX_INDEX = [100, 90, 80, 70, 60, 50, 40, 30, 20]
KIND_ORDER = {k: i for i, k in enumerate(cr.EVENT_KINDS)}


def paydex_of_days(days):
    days = np.asarray(days, dtype=float)
    return np.where(days <= 120, np.interp(days, PAYDEX_DAYS, PAYDEX_INDEX), np.maximum(1.0, 20 - (days - 120) / 3))


def month_index(dates):
    return (dates.dt.year - 1970) * 12 + dates.dt.month - 1


def features(df, as_of, model=None):
    m = model or cr.Model()
    as_of = pd.Timestamp(as_of)
    df = df[df["date"] <= as_of]
    kind = df["kind"].astype(str)
    days = (as_of - df["date"]).dt.days.to_numpy(dtype=float)
    decay_p = np.exp2(-days / m.payment_half_life_days)
    decay_d = np.exp2(-days / m.dissatisfaction_half_life_days)
    decay_r = np.exp2(-days / m.review_half_life_days)
    amount = df["amount_cents"].astype("float64").fillna(0).to_numpy()
    clients = pd.Index(df["client"].unique(), name="client")
    out = pd.DataFrame(0.0, index=clients, columns=list(cr.FEATURES))

    def total(mask, values):
        return pd.Series(values[mask], index=df["client"][mask]).groupby(level=0).sum().reindex(clients, fill_value=0.0)

    # Invoices and what settled them, in the engine's order: date, then kind, then amount.
    inv = df[kind == "invoice"][["client", "ref", "amount_cents", "due"]]
    settle_mask = kind.isin(["payment", "credit_note", "write_off"]).to_numpy()
    st = df[settle_mask][["client", "ref", "date", "amount_cents"]].assign(
        order=kind[settle_mask].map(KIND_ORDER).to_numpy(), kind=kind[settle_mask].to_numpy())
    st = st.merge(inv.rename(columns={"amount_cents": "invoiced"}), on=["client", "ref"], how="left")
    st = st.sort_values(["client", "ref", "date", "order", "amount_cents"], kind="stable")
    running = st.groupby(["client", "ref"])["amount_cents"].cumsum()
    capped = np.minimum(running, st["invoiced"])
    took = capped - np.minimum(running - st["amount_cents"], st["invoiced"])
    st["took"] = took.astype("float64")
    settled = st.groupby(["client", "ref"])["took"].sum()
    inv = inv.set_index(["client", "ref"])
    outstanding = (inv["amount_cents"].astype("float64") - settled.reindex(inv.index, fill_value=0.0)).rename("left")
    open_inv = inv.assign(left=outstanding)[outstanding > 0]
    dpd = (as_of - open_inv["due"]).dt.days
    late = dpd > 0
    by_client = open_inv.index.get_level_values("client")
    out["open_amount"] = open_inv["left"].groupby(by_client).sum().reindex(clients, fill_value=0.0)
    out["overdue_amount"] = open_inv["left"][late].groupby(by_client[late]).sum().reindex(clients, fill_value=0.0)
    over90 = dpd > 90
    out["amount_over_90"] = open_inv["left"][over90].groupby(by_client[over90]).sum().reindex(clients, fill_value=0.0)
    out["days_past_due_max"] = dpd[late].groupby(by_client[late]).max().reindex(clients, fill_value=0).astype(float)

    # Payment experience: what each payment settled, weighted and decayed, against its due date.
    pay = st[st["kind"] == "payment"]
    w = pay["took"].to_numpy() * np.exp2(-(as_of - pay["date"]).dt.days.to_numpy(dtype=float) / m.payment_half_life_days)
    index = paydex_of_days((pay["date"] - pay["due"]).dt.days.to_numpy(dtype=float))
    sums = pd.DataFrame({"w": w, "wp": w * index}, index=pay["client"]).groupby(level=0).sum().reindex(clients, fill_value=0.0)
    prior = m.credibility_cents
    out["paydex"] = ((sums["wp"] + 80 * prior) / (sums["w"] + prior)).clip(1, 100)

    def window(mask, days_back):
        inside = mask & (days < days_back)
        return total(inside, np.ones(len(df)) if mask is not None else None)

    is_ = {k: (kind == k).to_numpy() for k in cr.EVENT_KINDS}
    detail = df["detail"].astype(str).to_numpy()
    out["write_off_amount"] = total(is_["write_off"] & (days < m.write_off_window_days), amount)
    severity = np.where(is_["complaint"] | is_["review"], pd.to_numeric(df["detail"], errors="coerce").fillna(0), 0)
    out["complaint_severity"] = total(is_["complaint"], severity * decay_d)
    invoiced = total(is_["invoice"], amount * decay_d)
    returned = total(is_["return"], amount * decay_d)
    disputed = total(is_["dispute_opened"], amount * decay_d)
    out["return_share"] = returned / (np.maximum(invoiced, returned) + prior)
    out["dispute_count"] = total(is_["dispute_opened"], decay_d)
    out["disputed_share"] = disputed / (np.maximum(invoiced, disputed) + prior)
    ones = np.ones(len(df))
    recent = days < m.cancellation_window_days
    early = total(is_["contract_cancelled"] & (detail == "early") & recent, ones)
    at_term = total(is_["contract_cancelled"] & (detail == "at_term") & recent, ones)
    out["cancellations_early"] = early
    out["cancellations_at_term"] = at_term
    out["contracts_held"] = total(is_["contract_signed"], ones) - (total(is_["contract_cancelled"], ones) - early - at_term)

    # Revenue by month: the share of the portfolio's last 12 months, and seasonality.
    month = month_index(df["date"]).to_numpy()
    now = (as_of.year - 1970) * 12 + as_of.month - 1
    monthly = pd.Series(amount[is_["invoice"]], index=[df["client"][is_["invoice"]], month[is_["invoice"]]])
    table = monthly.groupby(level=[0, 1]).sum().unstack(fill_value=0.0).reindex(index=clients, fill_value=0.0)
    table = table.reindex(columns=range(now - 24, now + 1), fill_value=0.0)
    rev12 = table.loc[:, now - 11:now].sum(axis=1)
    out["revenue_share"] = rev12 / rev12.sum() if rev12.sum() > 0 else 0.0
    firsts = pd.Series(month[is_["invoice"]], index=df["client"][is_["invoice"]]).groupby(level=0)
    first, latest = firsts.min().reindex(clients), firsts.max().reindex(clients)
    n = np.where(first.notna() & ((now - 1) - latest < 12), np.clip(now - first.fillna(now), 0, 24), 0).astype(int)
    out["seasonality_months"] = n.astype(float)
    values = table.to_numpy()  # columns now-24 .. now
    cv = np.zeros(len(clients))
    swing = np.zeros(len(clients))
    for months_judged in np.unique(n[n >= 4]):
        rows = n == months_judged
        span = values[rows][:, 24 - months_judged:24]  # the completed months, oldest first
        q = span[:, :-2] + span[:, 1:-1] + span[:, 2:]
        mean = q.mean(axis=1)
        ok = mean > 0
        sd = np.sqrt(((q - mean[:, None]) ** 2).mean(axis=1))
        cv[rows] = np.where(ok, sd / np.where(ok, mean, 1), 0)
        swing[rows] = np.where(ok, 1 - q.min(axis=1) / np.where(ok, q.max(axis=1), 1), 0)
    out["seasonality_cv"] = cv
    out["seasonality_swing"] = swing

    rw = total(is_["review"], decay_r)
    rating = total(is_["review"], severity * decay_r)
    negative = total(is_["review"] & (severity <= 2), decay_r)
    out["review_weight"] = rw
    out["rating_mean"] = np.where(rw > 0, (rating / rw.where(rw > 0, 1)).clip(1, 5), 0)
    out["negative_review_share"] = np.where(rw > 0, np.minimum(1, negative / rw.where(rw > 0, 1)), 0)

    legal = days < m.legal_window_days
    for column, mask in [("lawyer_letters", is_["legal_notice"] & (detail == "lawyer_letter")),
                         ("formal_notices", is_["legal_notice"] & (detail == "formal_notice")),
                         ("lawsuits", is_["legal_notice"] & (detail == "lawsuit")),
                         ("litigations", is_["dispute_resolved"] & (detail == "litigation"))]:
        out[column] = total(mask & legal, ones)
    return out
