"""Benchmark storage import sync on moto server (S3); prints ONE JSON line.

    python bench/storage.py                    # 100,000 objects
    python bench/storage.py --objects 10000
    python bench/storage.py --stock-moto       # moto's own listing (O(bucket) per page, see below)

A moto server in its own process holds N objects (put straight into moto's backend, so setup is
fast and its memory is not ours). Every measured step runs in its own fresh Python process, so no
listing cache helps either side and each step's peak RSS (`os.wait4` rusage) is that step's own:

  setup       the workspace, a project and the S3 import storage (not timed)
  first       the first sync of N objects into tasks (lsx)
  list_s3fs   a bare fsspec listing: `s3fs.find(bucket/prefix)`, use_listings_cache off
  list_boto3  a bare boto3 ListObjectsV2 paginator over the same prefix
  resync      a re-sync of the unchanged bucket (lsx)

Times are measured inside each child (interpreter start and imports excluded; `process_s` adds
them). `cpu_s` is each child's own CPU time (rusage) and `server_cpu_s` the moto server's CPU time
during each step (from /proc): on a loaded machine wall times stretch, these tell whose work it is.

moto's ListObjectsV2 is O(bucket) per page: every request walks, filters and sorts all keys of the
bucket, then scans linearly to the continuation token, so listing N keys in pages of 1,000 costs
O(N^2/1000) (~1 s of server CPU per page at 100,000 keys, ~100 s in all). Real S3 costs O(page) per
page. Unless `--stock-moto` is given, the server process therefore answers ListObjectsV2 for the
bench bucket from a sorted index of its (read-only after setup) keys: same pages, same keys, same
continuation tokens, same XML, at O(page) per page. Both sides of every comparison list from the
same server, and the JSON line says which listing the server used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = r"""
import bisect, sys, time
from moto.server import ThreadedMotoServer
from moto.s3.models import FakeDeleteMarker, S3Backend, s3_backends
port, n, stock = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "stock"
accounts = s3_backends["123456789012"]
backend = accounts["aws"] if "aws" in accounts else accounts["global"]
backend.create_bucket("bench", "us-east-1")
for i in range(n):
    backend.put_object("bench", f"img/{i:07d}.jpg", b"x")

if not stock:
    bucket = backend.get_bucket("bench")
    names = sorted(bucket.keys.keys())  # the bench bucket is read-only from here on
    stock_list = S3Backend.list_objects_v2

    def list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys):
        # moto's own answer, built from a sorted index instead of a sort of the whole bucket per page
        if bucket.name != "bench" or len(bucket.keys) != len(names):
            return stock_list(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys)
        prefix = prefix or ""
        limit = self._pagination_tokens.get(continuation_token) if continuation_token else start_after
        i = bisect.bisect_right(names, limit) if limit else bisect.bisect_left(names, prefix)
        out, last_folder = [], None
        while i < len(names) and len(out) <= max_keys:
            name = names[i]
            i += 1
            if not name.startswith(prefix):
                if name > prefix:
                    break
                continue
            rest = name[len(prefix):]
            if delimiter and delimiter in rest:
                folder = prefix + rest.split(delimiter)[0] + delimiter
                if folder != last_folder and (not limit or folder > limit):
                    out.append(folder)
                last_folder = folder
                continue
            key = bucket.keys[name]
            if not isinstance(key, FakeDeleteMarker):
                out.append(key)
        return self._truncate_result(out, max_keys)

    S3Backend.list_objects_v2 = list_objects_v2

server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"""
CONFIG = ('<View><Image name="image" value="$image"/>'
          '<Choices name="c" toName="image"><Choice value="a"/></Choices></View>')
BUCKET, PREFIX = "bench", "img"


# --- the steps, each in its own process -----------------------------------------------------------


def _env(home: str) -> None:
    os.environ.update({"LSX_HOME": home, "AWS_DEFAULT_REGION": "us-east-1"})
    for key in [k for k in os.environ if k.startswith("LSX_") and k != "LSX_HOME"]:
        del os.environ[key]


def step_setup(endpoint: str, home: str) -> dict[str, Any]:
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.projects import create_project
    from lsx.engine.storage import create_storage
    from lsx.engine.workspace import open_workspace

    ws = open_workspace()
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    with ws.session() as s:
        pid = create_project(s, owner, "bench", label_config=CONFIG).id
    row = create_storage(ws, owner, pid, "s3", {
        "bucket": BUCKET, "prefix": PREFIX, "use_blob_urls": True, "s3_endpoint": endpoint,
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing"})
    ws.close()
    return {"storage": row.id}


def step_sync(storage: int) -> dict[str, Any]:
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.storage import sync_storage
    from lsx.engine.workspace import open_workspace

    ws = open_workspace()
    with ws.read() as s:
        owner = actor_for(s, LOCAL_OWNER)
    t0 = time.perf_counter()
    out = sync_storage(ws, owner, storage)
    elapsed = time.perf_counter() - t0
    ws.close()
    return {"s": elapsed, "ok": out.ok, "result": out.result, "error": out.error}


def step_list_s3fs(endpoint: str) -> dict[str, Any]:
    import s3fs

    fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=endpoint, use_listings_cache=False,
                           skip_instance_cache=True)
    t0 = time.perf_counter()
    listed = len(fs.find(f"{BUCKET}/{PREFIX}"))
    return {"s": time.perf_counter() - t0, "listed": listed}


def step_list_boto3(endpoint: str) -> dict[str, Any]:
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    t0 = time.perf_counter()
    listed = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX + "/"):
        listed += len(page.get("Contents", ()))
    return {"s": time.perf_counter() - t0, "listed": listed}


def child(args: argparse.Namespace) -> None:
    _env(args.home)
    if args.step == "setup":
        out = step_setup(args.endpoint, args.home)
    elif args.step in ("first", "resync"):
        out = step_sync(args.storage)
    elif args.step == "list_s3fs":
        out = step_list_s3fs(args.endpoint)
    else:
        out = step_list_boto3(args.endpoint)
    print(json.dumps(out), flush=True)


# --- the parent -----------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_step(step: str, endpoint: str, home: str, server_pid: int, storage: int = 0) -> dict[str, Any]:
    """Run one step in a fresh process: its JSON output plus process wall time, peak RSS and the
    server's CPU time meanwhile."""
    cpu0 = _cpu_seconds(server_pid)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--step", step, "--endpoint", endpoint, "--home", home,
             "--storage", str(storage)], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"step {step} failed:\n{err.read().decode()[-3000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    result.update(process_s=wall, peak_rss_mb=usage.ru_maxrss / 1024, cpu_s=usage.ru_utime + usage.ru_stime,
                  server_cpu_s=_cpu_seconds(server_pid) - cpu0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--stock-moto", action="store_true", help="moto's own O(bucket)-per-page listing")
    parser.add_argument("--step", choices=("setup", "first", "resync", "list_s3fs", "list_boto3"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--storage", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args)
        return
    n = args.objects

    from tests.plugins.services import free_port, wait_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(n), "stock" if args.stock_moto else "index"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        setup = time.perf_counter()
        line = proc.stdout.readline()
        if line.strip() != "ready":
            raise SystemExit("moto server did not start")
        wait_port(port)
        setup = time.perf_counter() - setup
        endpoint = f"http://127.0.0.1:{port}"
        home = tempfile.mkdtemp(prefix="lsx-bench-storage-")

        steps: dict[str, dict[str, Any]] = {}
        storage = run_step("setup", endpoint, home, proc.pid)["storage"]
        steps["first"] = run_step("first", endpoint, home, proc.pid, storage)
        first = steps["first"]
        assert first["ok"] and first["result"]["added"] == n, first
        steps["list_s3fs"] = run_step("list_s3fs", endpoint, home, proc.pid)
        steps["list_boto3"] = run_step("list_boto3", endpoint, home, proc.pid)
        assert steps["list_s3fs"]["listed"] == n and steps["list_boto3"]["listed"] == n, steps
        steps["resync"] = run_step("resync", endpoint, home, proc.pid, storage)
        again = steps["resync"]
        assert again["ok"] and again["result"]["added"] == 0 and again["result"]["unchanged"] == n, again

        listing = steps["list_s3fs"]["s"]
        lsx_rss = max(first["peak_rss_mb"], again["peak_rss_mb"])
        print(json.dumps({
            "bench": "storage", "backend": "s3 (moto server)", "objects": n,
            "moto_listing": "stock" if args.stock_moto else "sorted index",
            "first_sync_s": round(first["s"], 2), "first_sync_limit_s": 60,
            "resync_unchanged_s": round(again["s"], 2), "bare_fsspec_listing_s": round(listing, 2),
            "bare_boto3_listing_s": round(steps["list_boto3"]["s"], 2),
            "resync_vs_listing": round(again["s"] / listing, 2), "resync_vs_listing_limit": 1.5,
            "peak_rss_mb": {k: round(v["peak_rss_mb"], 1) for k, v in steps.items()},
            "lsx_peak_rss_mb": round(lsx_rss, 1), "rss_limit_mb": 200,
            "process_s": {k: round(v["process_s"], 2) for k, v in steps.items()},
            "cpu_s": {k: round(v["cpu_s"], 2) for k, v in steps.items()},
            "server_cpu_s": {k: round(v["server_cpu_s"], 2) for k, v in steps.items()},
            "moto_setup_s": round(setup, 2), "load_avg_1m": round(os.getloadavg()[0], 2),
        }))
    finally:
        proc.kill()
        proc.wait(10)


if __name__ == "__main__":
    main()
