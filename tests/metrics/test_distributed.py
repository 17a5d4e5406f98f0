"""CollapseStats across processes: two gloo ranks on loopback (all-reduce of the sufficient statistics) and
a 2-worker Dask LocalCluster (in-process workers) over an array and a bag of shards; each equals the
in-memory statistics to 1e-12."""

import json
import socket
from datetime import timedelta

import numpy as np
import pytest

from verify.geometry.examples import noisy
from verify.metrics import collapse_report

#: Sums of the same float64 terms in another order (parallel-axis all-reduce or Chan tree): ~1e-15.
SHARDED = 1e-12
KEYS = ("nc1", "cdnv", "etf_distance_means", "self_duality", "equinorm_means", "nc1_quotient")


def _data():
    rng = np.random.default_rng(13)
    return noisy(5, 6, [30, 7, 19, 12, 4], rng)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank(rank, world, port, out_dir):
    import torch.distributed as dist

    from verify.metrics import CollapseStats
    from verify.metrics.distributed import all_reduce_stats

    dist.init_process_group(  # bounded: a lost peer fails the collective after 60 s instead of hanging
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world, timeout=timedelta(seconds=60)
    )
    try:
        H, y, W, b = _data()
        mine = np.arange(len(y)) % world == rank
        if rank == 1:  # rank 1 never sees class 4: the union of labels is gathered
            mine &= y != 4
        else:
            mine |= y == 4
        stats = CollapseStats().update(H[mine], y[mine], logits=H[mine] @ W.T + b)
        report = all_reduce_stats(stats).report(W, b)
        with open(f"{out_dir}/rank{rank}.json", "w") as f:
            f.write(report.to_json())
    finally:
        dist.destroy_process_group()


@pytest.mark.slow  # two spawned interpreters importing torch: ~20 s on a loaded 2-core machine
def test_gloo_all_reduce_over_two_processes_equals_in_memory(tmp_path):
    torch = pytest.importorskip("torch")
    import torch.multiprocessing as mp

    mp.start_processes(_rank, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True, start_method="spawn")
    H, y, W, b = _data()
    direct = collapse_report(H, y, W, b)
    reports = [json.loads((tmp_path / f"rank{r}.json").read_text())["metrics"] for r in (0, 1)]
    for key in KEYS:
        for rep in reports:
            assert rep[key] == pytest.approx(direct[key], rel=SHARDED), key
    assert reports[0]["accuracy"] == pytest.approx(direct["accuracy"], abs=0)  # integer tallies, summed
    del torch


def test_dask_array_and_bag_on_a_two_worker_local_cluster():
    da = pytest.importorskip("dask.array")
    db = pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("distributed")
    from verify.metrics.distributed import stats_from_bag, stats_from_dask

    H, y, W, b = _data()
    direct = collapse_report(H, y, W, b)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,  # inproc://, no sockets
        ) as cluster,
        distributed.Client(cluster),
    ):
        from_array = stats_from_dask(da.from_array(H, chunks=(11, -1)), da.from_array(y, chunks=7))
        shards = [(H[i : i + 13], y[i : i + 13]) for i in range(0, len(y), 13)]
        from_bag = stats_from_bag(db.from_sequence(shards, npartitions=3))
    for stats in (from_array, from_bag):
        report = stats.report(W, b)
        for key in KEYS:
            assert report[key] == pytest.approx(direct[key], rel=SHARDED), key
