"""Storage emulators on free loopback ports: moto server (S3, with and without auth), the GCS
emulator and Azurite. Each starts once per session; tests make their own bucket. In CI a missing
emulator fails (tests.plugins.services.missing)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugins.services import free_port, missing, wait_port

os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")  # before gcsfs is ever imported

REPO = Path(__file__).resolve().parents[2]
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
S3_KEY, S3_SECRET = "testing", "testing"


@dataclass(frozen=True)
class Service:
    endpoint: str
    proc: subprocess.Popen[bytes] | None = None


def _start(cmd: list[str], port: int, what: str, env: dict[str, str] | None = None,
           cwd: str | None = None) -> subprocess.Popen[bytes]:
    log = tempfile.NamedTemporaryFile(prefix=f"lsx-{what}-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                            start_new_session=True, cwd=cwd)
    for _ in range(300):
        if proc.poll() is not None:
            break
        try:
            wait_port(port, timeout=0.1)
            return proc
        except TimeoutError:
            continue
    proc.kill()
    raise RuntimeError(f"{what} did not start: {Path(log.name).read_text()[-2000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Service]:
    """S3 on moto's threaded server (in this process; no auth)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto[server]")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_port(port)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield Service(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_auth_server() -> Iterator[tuple[Service, dict[str, str]]]:
    """A moto server that checks credentials (its own process): yields it and a working key pair."""
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if exe is None:
        missing("moto_server")
    port = free_port()
    # The first actions run unauthenticated (to create the user and its key), every later one is checked.
    proc = _start([exe, "-H", "127.0.0.1", "-p", str(port)], port, "moto-auth",
                  env={"INITIAL_NO_AUTH_ACTION_COUNT": "4"})
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=S3_KEY,
                       aws_secret_access_key=S3_SECRET)
    iam.create_user(UserName="lsx")
    iam.put_user_policy(UserName="lsx", PolicyName="all", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'))
    key = iam.create_access_key(UserName="lsx")["AccessKey"]
    creds = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **{
        "aws_access_key_id": creds["aws_access_key_id"], "aws_secret_access_key": creds["aws_secret_access_key"]})
    s3.create_bucket(Bucket="secured")
    try:
        yield Service(endpoint, proc), creds
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[Service]:
    exe = shutil.which("gcp-storage-emulator", path=str(Path(sys.executable).parent))
    if exe is None:
        missing("gcp-storage-emulator")
    port = free_port()
    proc = _start([exe, "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory"], port, "gcs")
    try:
        yield Service(f"http://127.0.0.1:{port}", proc)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[Service]:
    exe = REPO / "node_modules" / ".bin" / "azurite-blob"
    if not exe.exists() or shutil.which("node") is None:
        missing("Azurite (npm ci installs azurite@3.35.0)")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="lsx-azurite-")
    proc = _start([str(exe), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
                   "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent"],
                  port, "azurite", cwd=workdir)
    try:
        yield Service(f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}", proc)
    finally:
        _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def gcs_service_account() -> str:
    """A throw-away service-account key (never valid at Google): signs URLs for the emulator."""
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return json.dumps({
        "type": "service_account", "project_id": "lsx-test", "private_key_id": "0" * 40, "private_key": pem,
        "client_email": "lsx-test@lsx-test.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    })
