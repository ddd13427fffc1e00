"""clientrisk.dask on a dask.distributed LocalCluster of two worker processes: the scores of a
ledger partitioned by client are the same bits as one engine's."""
import io
import subprocess

import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import clientrisk as cr
import clientrisk.dask as crd
from conftest import CLI


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def events():
    # A generated ledger: prompt and late payers, a dominant client, seasonal ones, disputes, a legal case.
    text = subprocess.run([CLI, "generate", "--clients", "300", "--months", "18", "--seed", "11"], check=True,
                          capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def single(frame, as_of=None):
    e = cr.Engine()
    e.post_frame(frame)
    return e.scores(as_of)


def by_client(frame, partitions):
    return dd.from_pandas(frame.set_index("client", drop=False).sort_index(), npartitions=partitions)


@pytest.mark.parametrize("partitions", [1, 2, 5])
def test_same_bits_as_one_engine(client, events, partitions):
    expected = single(events)
    got = crd.scores(by_client(events, partitions)).compute()
    assert sorted(got.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(got.loc[expected.index], expected, check_exact=True)


def test_as_of_and_a_dropped_client_column(client, events):
    expected = single(events, "2024-03-31")
    indexed = dd.from_pandas(events.set_index("client").sort_index(), npartitions=3)
    got = crd.scores(indexed, as_of="2024-03-31").compute()
    pd.testing.assert_frame_equal(got.loc[expected.index], expected, check_exact=True)


def test_the_first_pass_is_what_makes_concentration_right(client, events):
    # Scoring each partition alone divides by its own clients' revenue: shares come out larger.
    parts = by_client(events, 4).to_delayed()
    alone = pd.concat([single(p.compute().reset_index(drop=True)) for p in parts])
    whole = crd.scores(by_client(events, 4)).compute()
    whole = whole.loc[alone.index]
    invoiced = whole["revenue_share"] > 0
    assert invoiced.sum() > 200 and (alone.loc[invoiced, "revenue_share"] > whole.loc[invoiced, "revenue_share"]).all()
    assert (alone["sub_concentration"] != whole["sub_concentration"]).any()
    assert whole["revenue_share"].sum() == pytest.approx(1.0)


def test_a_client_in_two_partitions_is_refused(client, events):
    unsorted = dd.from_pandas(events, npartitions=3, sort=False)
    with pytest.raises(cr.InvalidInputError, match=r"client '.*' is in partitions \d and \d: partition the events by client"):
        crd.scores(unsorted).compute()


def test_a_bad_row_names_its_partition(client, events):
    bad = events.copy()
    bad.loc[bad.index[-1], "amount"] = "12.345"
    with pytest.raises(cr.InvalidInputError, match=r"partition \d: .*amount"):
        crd.scores(by_client(bad, 3)).compute()
    assert len(crd.scores(by_client(bad, 3), lenient=True).compute()) == len(single(events))


def test_not_a_dask_frame():
    with pytest.raises(TypeError, match="dask.dataframe.DataFrame"):
        crd.scores(pd.DataFrame())
