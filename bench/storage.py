"""Benchmark storage import sync on moto server (S3); prints ONE JSON line.

A moto server in its own process holds N objects (put straight into moto's backend, so setup is
fast and its memory is not ours). Measures the first sync of N objects into tasks, a re-sync of the
unchanged bucket and, in the same run, a bare fsspec listing of the bucket (use_listings_cache
off on both sides), and the peak RSS of this process.

    python bench/storage.py                    # 100,000 objects
    python bench/storage.py --objects 10000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SERVER = r"""
import sys, time
from moto.server import ThreadedMotoServer
from moto.s3.models import s3_backends
port, n = int(sys.argv[1]), int(sys.argv[2])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
accounts = s3_backends["123456789012"]
backend = accounts["aws"] if "aws" in accounts else accounts["global"]
backend.create_bucket("bench", "us-east-1")
for i in range(n):
    backend.put_object("bench", f"img/{i:07d}.jpg", b"x")
print("ready", flush=True)
while True:
    time.sleep(3600)
"""
CONFIG = ('<View><Image name="image" value="$image"/>'
          '<Choices name="c" toName="image"><Choice value="a"/></Choices></View>')


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    args = parser.parse_args()
    n = args.objects

    from tests.plugins.services import free_port, wait_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(n)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
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
        os.environ.update({"LSX_HOME": home, "AWS_DEFAULT_REGION": "us-east-1"})
        for key in [k for k in os.environ if k.startswith("LSX_") and k != "LSX_HOME"]:
            del os.environ[key]

        from lsx.engine.access.users import LOCAL_OWNER, actor_for
        from lsx.engine.projects import create_project
        from lsx.engine.storage import create_storage, sync_storage
        from lsx.engine.workspace import open_workspace

        ws = open_workspace()
        with ws.read() as s:
            owner = actor_for(s, LOCAL_OWNER)
        with ws.session() as s:
            pid = create_project(s, owner, "bench", label_config=CONFIG).id
        row = create_storage(ws, owner, pid, "s3", {
            "bucket": "bench", "prefix": "img", "use_blob_urls": True, "s3_endpoint": endpoint,
            "aws_access_key_id": "testing", "aws_secret_access_key": "testing"})

        t0 = time.perf_counter()
        first = sync_storage(ws, owner, row.id)
        first_s = time.perf_counter() - t0
        assert first.ok and first.result and first.result["added"] == n, first.as_json()
        rss_first = peak_rss_mb()

        import s3fs

        fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=endpoint, use_listings_cache=False,
                               skip_instance_cache=True)
        t0 = time.perf_counter()
        listed = len(fs.find("bench/img"))
        listing_s = time.perf_counter() - t0
        assert listed == n
        del fs

        t0 = time.perf_counter()
        again = sync_storage(ws, owner, row.id)
        resync_s = time.perf_counter() - t0
        assert again.ok and again.result and again.result["added"] == 0 and again.result["unchanged"] == n

        print(json.dumps({
            "bench": "storage", "backend": "s3 (moto server)", "objects": n,
            "first_sync_s": round(first_s, 2), "first_sync_limit_s": 60,
            "resync_unchanged_s": round(resync_s, 2), "bare_fsspec_listing_s": round(listing_s, 2),
            "resync_vs_listing": round(resync_s / listing_s, 2), "resync_vs_listing_limit": 1.5,
            "peak_rss_mb": round(peak_rss_mb(), 1), "rss_after_first_sync_mb": round(rss_first, 1),
            "rss_limit_mb": 200, "moto_setup_s": round(setup, 2),
        }))
        ws.close()
    finally:
        proc.kill()
        proc.wait(10)


if __name__ == "__main__":
    main()
