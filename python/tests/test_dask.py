"""conform.dask on a distributed.LocalCluster with 2 workers: output equal to
`conform check --batch`, each worker compiling once."""
import os

import pytest

from conftest import AS_OF, cli, organizations

distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402

import conform  # noqa: E402
import conform.dask as cd  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       local_directory=str(tmp_path_factory.mktemp("dask")))
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_bag_equals_cli_batch(client, src, work):
    path = work / "orgs-dask.ndjson"
    path.write_text(organizations(src, 3000))
    want = cli("check", "--batch", str(path), "-s", "iso9001", "-s", "hs", "--as-of", AS_OF)
    assert want.returncode == 2  # some lines are bad
    bag = db.read_text(str(path), blocksize=256 * 1024)
    assert bag.npartitions >= 4
    got = cd.check_bag_ndjson(bag, ["iso9001", "hs"], as_of=AS_OF, cache_dir=work / "shared-cache")
    assert got == want.stdout.replace(str(path), "<batch>")
    compiles = client.run(cd.worker_compiles)
    assert sorted(compiles.values()) == [1, 1], compiles  # each worker compiled once


def test_dataframe(client, src):
    import pandas as pd
    rows = [{"name": f"Org {i}", "employees": i + 1} for i in range(200)]
    df = dd.from_pandas(pd.DataFrame(rows), npartitions=4)
    records = cd.check_dataframe(df, ["iso9001"], as_of=AS_OF)
    rules = conform.Engine().compile(["iso9001"], as_of=AS_OF)
    assert records == rules.batch(rows, as_of=AS_OF)
    assert [r["line"] for r in records] == list(range(1, 201))
