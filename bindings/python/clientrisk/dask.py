"""Scoring on a Dask cluster: events partitioned by client, each partition scored where it lies.

Every client's events must sit in one partition (``events.set_index("client", drop=False)`` or
``events.shuffle("client")`` does it); a client found in two partitions raises before anything is
scored. One engine is built per partition, on a worker. A first pass gathers what is
portfolio-wide: the date scored (by default the latest event date of all partitions) and the
portfolio's invoiced revenue over the 12 months ending with it, which the concentration factor
divides by. The second pass scores every partition against those figures, so the scores are the
same bits as ``Engine.scores()`` of one engine holding every event.

>>> import dask.dataframe as dd
>>> import clientrisk.dask
>>> events = dd.read_csv("ledger-*.csv", dtype=str, keep_default_na=False)
>>> scores = clientrisk.dask.scores(events.set_index("client", drop=False))
>>> scores.compute().nlargest(10, "score")

docs/scaling.md has the throughput measured on one and two workers and the plan for a cluster.
"""

from __future__ import annotations

import datetime
from typing import Any, Optional

import dask
import dask.dataframe as dd
import pandas as pd

from . import Engine, InvalidInputError, Model

__all__ = ["scores"]


def _frame(part: pd.DataFrame) -> pd.DataFrame:
    # A partition indexed by client without the column (set_index("client")) gets it back.
    if "client" not in part.columns and part.index.name == "client":
        part = part.reset_index()
    return part


def _build(part: pd.DataFrame, model: Optional[Model], lenient: bool, number: int, _checked: int) -> Engine:
    engine = Engine(model) if model is not None else Engine()
    try:
        engine.post_frame(_frame(part), lenient=lenient)
    except InvalidInputError as e:
        raise InvalidInputError(f"partition {number}: {e}") from None
    return engine


def _clients(part: pd.DataFrame) -> list[str]:
    return [str(c) for c in _frame(part)["client"].unique()] if len(part) else []


def _check_disjoint(clients: list[list[str]]) -> int:
    seen: dict[str, int] = {}
    for number, ids in enumerate(clients):
        for client in ids:
            if client in seen:
                raise InvalidInputError(
                    f"client {client!r} is in partitions {seen[client]} and {number}: partition the events by client "
                    '(events.set_index("client", drop=False) or events.shuffle("client"))')
            seen[client] = number
    return len(seen)


def _latest(engine: Engine) -> Optional[datetime.date]:
    return engine.latest_event_date


def _as_of(latest: list[Optional[datetime.date]]) -> datetime.date:
    dates = [d for d in latest if d is not None]
    if not dates:
        raise InvalidInputError("the events have no rows to score")
    return max(dates)


def _own_revenue(engine: Engine, as_of: Any) -> int:
    if len(engine) == 0:
        return 0
    return engine.own_revenue_12m(as_of)


def _score(engine: Engine, as_of: Any, revenue: int, meta: pd.DataFrame) -> pd.DataFrame:
    if len(engine) == 0:
        return meta
    engine.portfolio_revenue_12m = revenue
    return engine.scores(as_of)


def _meta(model: Optional[Model]) -> pd.DataFrame:
    # The columns and dtypes of Engine.scores(), from a one-event engine.
    engine = Engine(model) if model is not None else Engine()
    engine.post("2000-01-03", "meta", "complaint", detail=1)
    return engine.scores().iloc[:0]


def scores(events: dd.DataFrame, as_of: Any = None, model: Optional[Model] = None, *,
           lenient: bool = False) -> dd.DataFrame:
    """Scores every client of a Dask DataFrame of events, one engine per partition.

    Parameters
    ----------
    events : dask.dataframe.DataFrame
        The columns of ``Engine.post_frame`` (``date``, ``client``, ``kind``, ``ref``, ``amount`` or
        ``amount_cents``, ``due``, ``detail``), every client's events in one partition. An index named
        ``client`` stands for a missing ``client`` column.
    as_of : date, optional
        The date scored; by default the latest event date of every partition.
    model : Model, optional
        The built-in model when omitted.
    lenient : bool, default False
        As for ``post_frame``: False, the first bad row of a partition raises (naming the partition)
        and nothing is scored; True, bad rows are skipped.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy: one partition of ``Engine.scores()`` rows per partition of events, indexed by client,
        the same columns and values as one engine holding every event gives.

    Raises
    ------
    InvalidInputError
        When computed: a client in two partitions, a bad row (strict), no event at all.
    """
    if not isinstance(events, dd.DataFrame):
        raise TypeError(f"events: expected a dask.dataframe.DataFrame, got {type(events).__name__}")
    meta = _meta(model)
    parts = events.to_delayed()
    checked = dask.delayed(_check_disjoint, pure=True)([dask.delayed(_clients, pure=True)(p) for p in parts])
    engines = [dask.delayed(_build, pure=True)(part, model, lenient, number, checked)
               for number, part in enumerate(parts)]
    if as_of is None:
        date = dask.delayed(_as_of, pure=True)([dask.delayed(_latest, pure=True)(e) for e in engines])
    else:
        date = as_of  # parsed by each engine, as Engine.scores() does
    revenue = dask.delayed(sum, pure=True)([dask.delayed(_own_revenue, pure=True)(e, date) for e in engines])
    frames = [dask.delayed(_score, pure=True)(e, date, revenue, meta) for e in engines]
    return dd.from_delayed(frames, meta=meta, verify_meta=False)
