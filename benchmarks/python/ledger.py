"""A synthetic events DataFrame for the Python comparisons, made with numpy (not timed).

Every kind of event but payments without a reference, whose allocation to the oldest open invoice
is a sequential walk that no groupby expresses; at most three of each rare kind per client, which
the engine keeps exactly (docs/factors.md).
"""
import numpy as np
import pandas as pd

START = np.datetime64("2023-01-02")


def events(clients, months=12, seed=1):
    rng = np.random.default_rng(seed)
    c = np.repeat(np.arange(clients), months)
    m = np.tile(np.arange(months), clients)
    n = len(c)
    issued = START + (m * 30 + c % 28).astype("timedelta64[D]")
    amount = rng.integers(10_000, 500_000, n)
    ref = np.char.add("F", m.astype(str))
    parts = [dict(date=issued, client=c, kind="invoice", ref=ref, amount=amount,
                  due=issued + np.timedelta64(30, "D"), detail="")]

    def some(p, **columns):
        pick = rng.random(n) < p
        parts.append({k: (v[pick] if isinstance(v, np.ndarray) and len(v) == n else v) for k, v in columns.items()}
                     | {"client": c[pick]})
        return pick

    late = rng.integers(-10, 90, n).astype("timedelta64[D]")
    paid = np.where(rng.random(n) < 0.1, amount // 2, np.where(rng.random(n) < 0.05, amount + 1000, amount))
    some(0.8, date=issued + np.timedelta64(30, "D") + late, kind="payment", ref=ref, amount=paid, due=None,
         detail="")
    some(0.05, date=issued + np.timedelta64(3, "D"), kind="complaint", ref=None, amount=None, due=None,
         detail=rng.integers(1, 6, n).astype(str))
    some(0.05, date=issued + np.timedelta64(5, "D"), kind="review", ref=None, amount=None, due=None,
         detail=rng.integers(1, 6, n).astype(str))
    some(0.03, date=issued + np.timedelta64(7, "D"), kind="return", ref=ref, amount=amount // 4, due=None, detail="")
    some(0.02, date=issued + np.timedelta64(9, "D"), kind="credit_note", ref=ref, amount=amount // 3, due=None,
         detail="")
    disputed = some(0.02, date=issued + np.timedelta64(11, "D"), kind="dispute_opened", ref=ref, amount=amount // 2,
                    due=None, detail="quality")
    outcome = rng.choice(["credit_note", "rejected", "settled", "litigation"], n)
    resolved = disputed & (rng.random(n) < 0.6)
    parts.append(dict(date=issued[resolved] + np.timedelta64(40, "D"), client=c[resolved], kind="dispute_resolved",
                      ref=ref[resolved], amount=None, due=None, detail=outcome[resolved]))
    some(0.01, date=issued + np.timedelta64(150, "D"), kind="write_off", ref=ref, amount=amount // 5, due=None,
         detail="")
    some(0.004, date=issued + np.timedelta64(60, "D"), kind="legal_notice", ref=None, amount=None, due=None,
         detail=rng.choice(["lawyer_letter", "formal_notice", "lawsuit"], n))
    first = m == 0
    signer = first & (c % 3 == 0)
    parts.append(dict(date=issued[signer], client=c[signer], kind="contract_signed", ref="K1",
                      amount=amount[signer] * 12, due=issued[signer] + np.timedelta64(720, "D"), detail=""))
    quitter = (m == months // 2) & (c % 9 == 0)
    parts.append(dict(date=issued[quitter], client=c[quitter], kind="contract_cancelled", ref="K1", amount=None,
                      due=None, detail=rng.choice(["early", "at_term"], int(quitter.sum()))))

    frames = []
    for p in parts:
        k = len(p["client"])
        frames.append(pd.DataFrame({col: (p[col] if isinstance(p[col], np.ndarray) else np.full(k, p[col], dtype=object))
                                    for col in ("date", "client", "kind", "ref", "amount", "due", "detail")}))
    df = pd.concat(frames, ignore_index=True)
    rare = df["kind"].isin(["write_off", "legal_notice", "contract_cancelled"]) | (
        (df["kind"] == "dispute_resolved") & (df["detail"] == "litigation"))
    key = df["kind"] + df["detail"].astype(str)
    df = df[~rare | (df[rare].groupby([df["client"], key]).cumcount() < 3).reindex(df.index, fill_value=True)]
    df["client"] = np.char.add("C", df["client"].to_numpy().astype(str))
    df["date"] = pd.to_datetime(df["date"])
    df["due"] = pd.to_datetime(df["due"])
    df["amount"] = df["amount"].astype("Int64")
    df["kind"] = df["kind"].astype("category")
    df = df.rename(columns={"amount": "amount_cents"})
    return df.sort_values(["date", "client"], kind="stable", ignore_index=True)
