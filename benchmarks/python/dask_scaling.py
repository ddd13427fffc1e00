"""clientrisk.dask on a LocalCluster of 1 and 2 worker processes against one engine in this process.

Generates a ledger with the command line, partitions it by client, and times, in one run: one
engine's post_frame + scores(); clientrisk.dask.scores(...).compute() on one worker and on two
(each the best of --repeat). Checks that every result is the same bits as the single engine's.

    PYTHONPATH=build/release/python /usr/bin/python3 benchmarks/python/dask_scaling.py \
        --cli build/release/clientrisk [--clients 40000] [--months 12] [--partitions 8]
"""
import argparse
import io
import subprocess
import time

import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster

import clientrisk as cr
import clientrisk.dask as crd


def best(f, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="the clientrisk command, to generate the ledger")
    ap.add_argument("--clients", type=int, default=40000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    text = subprocess.run([a.cli, "generate", "--clients", str(a.clients), "--months", str(a.months), "--seed", "1"],
                          check=True, capture_output=True, text=True).stdout
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    events = len(frame)
    partitioned = dd.from_pandas(frame.set_index("client", drop=False).sort_index(), npartitions=a.partitions)
    partitioned = partitioned.persist(scheduler="sync")  # the partitions in memory before timing

    def single():
        e = cr.Engine()
        e.post_frame(frame)
        return e.scores()

    t_single, expected = best(single, a.repeat)
    print(f"{events} events of {a.clients} clients in {a.partitions} partitions")
    print(f"one engine in this process: {t_single:.2f} s, {events / t_single / 1e6:.2f} M events/s")
    rows = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            data = client.persist(partitioned)
            t, got = best(lambda: crd.scores(data).compute(), a.repeat)
            pd.testing.assert_frame_equal(got.loc[expected.index], expected, check_exact=True)
            rows[workers] = t
            print(f"dask, {workers} worker(s): {t:.2f} s, {events / t / 1e6:.2f} M events/s, "
                  f"{t_single / t:.2f}x one engine; same bits")
    print(f"two workers over one: {rows[1] / rows[2]:.2f}x")


if __name__ == "__main__":
    main()
