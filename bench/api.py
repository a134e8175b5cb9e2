"""Benchmark of `lsx serve` over loopback with keep-alive; prints ONE JSON line.

Figures (issue 6, Speed): import of 100,000 text tasks in one request (tasks/s); with 1 annotator
`next` and submit p50; with 20 annotators each waiting 1 s between submits, p95; closed-loop
next+submit cycles/s with 8 annotators; full JSON export of 100,000 tasks (seconds, server RSS
growth); idle server RSS; `lsx serve` start-up time; the machine's core count. Wall-clock figures
on a shared machine measure its load too, so the server's CPU time (per request, per cycle, to
start) and the load average are reported alongside.

    python bench/api.py [--tasks 100000] [--seconds 10] [--lockstep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.plugins.services import free_port

CONFIG = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text">'
          '<Choice value="Positive"/><Choice value="Negative"/></Choices></View>')
RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "LSX_HOME": str(home)}
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "lsx", "serve", "--port", str(self.port),
                                      "--no-login-link"], env=env, stdout=subprocess.DEVNULL)
        self.startup = self._wait()

    def _wait(self) -> float:
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1):
                    took = time.perf_counter() - self.t0
                    self.startup_cpu = cpu_s(self.proc.pid)
                    return took
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("lsx serve exited") from None
                time.sleep(0.01)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def make_users(home: Path, n: int) -> tuple[str, list[str]]:
    """The owner's token and n annotators' tokens (engine calls, as `lsx user/token create` do)."""
    from lsx.engine.access.tokens import create_token
    from lsx.engine.access.users import LOCAL_OWNER, actor_for, create_user
    from lsx.engine.db.models import User
    from lsx.engine.settings import load_settings
    from lsx.engine.workspace import open_workspace

    ws = open_workspace(load_settings(env={"LSX_HOME": str(home)}))
    with ws.session() as s:
        owner = actor_for(s, LOCAL_OWNER)
        owner_key = create_token(s, owner, s.get(User, owner.id))[1]
        keys = []
        for i in range(n):
            u = create_user(s, owner, f"annotator{i}@bench.local", role="annotator")
            keys.append(create_token(s, owner, u)[1])
    ws.close()
    return owner_key, keys


async def cycle(session: aiohttp.ClientSession, url: str, project: int, lat: list[float]) -> bool:
    t = time.perf_counter()
    async with session.get(f"{url}/api/projects/{project}/next") as r:
        if r.status == 404:
            return False
        task = await r.json()
    lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    async with session.post(f"{url}/api/tasks/{task['id']}/annotations/", json={"result": RESULT}) as r:
        assert r.status == 201, await r.text()
        await r.read()
    lat.append(time.perf_counter() - t)
    return True


def client(key: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(headers={"Authorization": f"Token {key}"},
                                 connector=aiohttp.TCPConnector(limit=4, force_close=False))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"cores": os.cpu_count(), "loadavg_1m_at_start": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="lsx-bench-api-") as tmp:
        home = Path(tmp)
        first = Server(home)  # migrates the new database
        first.stop()
        owner_key, keys = make_users(home, 20)
        server = Server(home)
        out["startup_s"] = round(server.startup, 3)
        out["startup_cpu_s"] = round(server.startup_cpu, 3)
        await asyncio.sleep(0.5)
        out["idle_rss_mb"] = round(rss_mb(server.proc.pid), 1)
        async with client(owner_key) as s:
            async with s.post(f"{server.url}/api/projects/", json={"title": "bench", "label_config": CONFIG}) as r:
                project = (await r.json())["id"]
            body = json.dumps([{"text": f"task number {i} with a little text"} for i in range(args.tasks)]).encode()
            t = time.perf_counter()
            async with s.post(f"{server.url}/api/projects/{project}/import", data=body,
                              headers={"Content-Type": "application/json"}) as r:
                assert r.status == 201, await r.text()
                count = (await r.json())["task_count"]
            took = time.perf_counter() - t
            out["import_tasks"] = count
            out["import_tasks_per_s"] = round(count / took)

        # one annotator: next and submit latency, and the server's CPU time per request (wall-clock
        # figures on a shared machine measure its load as much as the server)
        lat: list[float] = []
        async with client(keys[0]) as s:
            for _ in range(20):
                await cycle(s, server.url, project, [])
            before = cpu_s(server.proc.pid)
            for _ in range(300):
                await cycle(s, server.url, project, lat)
            out["one_annotator_server_cpu_ms_per_request"] = round((cpu_s(server.proc.pid) - before) / 600 * 1000, 2)
        out["one_annotator_next_p50_ms"] = round(statistics.median(lat[0::2]) * 1000, 2)
        out["one_annotator_submit_p50_ms"] = round(statistics.median(lat[1::2]) * 1000, 2)

        # 20 annotators, 1 s think time. Annotators start at random moments within the first second
        # (people do not click in lockstep); --lockstep starts them together, so every round is a
        # burst of 20 simultaneous requests on SQLite's one writer.
        rng = random.Random(6)

        async def paced(key: str, lat20: list[float], stop: float, offset: float) -> None:
            async with client(key) as s:
                await asyncio.sleep(offset)
                while time.perf_counter() < stop:
                    await cycle(s, server.url, project, lat20)
                    await asyncio.sleep(1.0)

        lat20: list[float] = []
        stop = time.perf_counter() + args.seconds
        await asyncio.gather(*(paced(k, lat20, stop, 0.0 if args.lockstep else rng.random()) for k in keys))
        out["twenty_annotators_p95_ms"] = round(pct(lat20, 0.95), 2)
        out["twenty_annotators_p50_ms"] = round(pct(lat20, 0.5), 2)

        # closed loop, 8 annotators
        done = 0
        stop = time.perf_counter() + args.seconds

        async def closed(key: str) -> None:
            nonlocal done
            scratch: list[float] = []
            async with client(key) as s:
                while time.perf_counter() < stop:
                    if await cycle(s, server.url, project, scratch):
                        done += 1

        t = time.perf_counter()
        before = cpu_s(server.proc.pid)
        await asyncio.gather(*(closed(k) for k in keys[:8]))
        out["eight_annotators_cycles_per_s"] = round(done / (time.perf_counter() - t), 1)
        out["eight_annotators_server_cpu_ms_per_cycle"] = round((cpu_s(server.proc.pid) - before) / max(done, 1) * 1000,
                                                                2)
        server.stop()

        # export in a fresh server process, sampling its RSS
        server = Server(home)
        await asyncio.sleep(0.3)
        base = rss_mb(server.proc.pid)
        peak = base
        sampling = True

        def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, rss_mb(server.proc.pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        async with client(owner_key) as s:
            t = time.perf_counter()
            size = 0
            async with s.get(f"{server.url}/api/projects/{project}/export",
                             params={"exportType": "JSON", "download_all_tasks": "true"}) as r:
                assert r.status == 200
                async for chunk in r.content.iter_chunked(1 << 20):
                    size += len(chunk)
            out["export_s"] = round(time.perf_counter() - t, 3)
        sampling = False
        sampler.join()
        out["export_tasks"] = args.tasks
        out["export_mb"] = round(size / 1e6, 1)
        out["export_rss_growth_mb"] = round(peak - base, 1)
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--lockstep", action="store_true", help="start the 20 paced annotators together")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
