"""A `store` per storage type: a fresh bucket (or folder) in a real emulator, with helpers to put,
delete and read objects behind lsx's back, and the fields `create_storage` needs to reach it."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lsx.engine.access.actor import Actor
from lsx.engine.workspace import Workspace

IMAGE_CONFIG = ('<View><Image name="image" value="$image"/>'
                '<Choices name="c" toName="image"><Choice value="a"/><Choice value="b"/></Choices></View>')
TEXT_CONFIG = ('<View><Text name="text" value="$text"/>'
               '<Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>')
TYPES = ["localfiles", "s3", "gcs", "azure"]
_n = itertools.count()


@dataclass
class Store:
    type: str
    bucket: str
    fields: dict[str, Any]
    fs: Any
    root: str  # fsspec path of the bucket (or folder)
    extra: dict[str, Any] = field(default_factory=dict)

    def put(self, key: str, data: bytes | str) -> None:
        self.fs.pipe_file(f"{self.root}/{key}", data.encode() if isinstance(data, str) else data)

    def delete(self, key: str) -> None:
        self.fs.rm_file(f"{self.root}/{key}")

    def read(self, key: str) -> bytes:
        return bytes(self.fs.cat_file(f"{self.root}/{key}"))

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(f"{self.root}/{key}"))

    def keys(self, prefix: str = "") -> list[str]:
        base = f"{self.root}/{prefix}".rstrip("/")
        try:
            found = self.fs.find(base)
        except FileNotFoundError:
            return []
        return sorted(p[len(self.root) + 1:] for p in found)


def make_store(type_name: str, request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Store:
    bucket = f"lsx-{next(_n)}-{uuid.uuid4().hex[:6]}"
    if type_name == "localfiles":
        from fsspec.implementations.local import LocalFileSystem

        root = tmp_path / "files-root"
        (root / bucket).mkdir(parents=True)
        monkeypatch.setenv("LSX_LOCAL_FILES_ROOT", str(root))
        return Store(type_name, bucket, {"path": bucket}, LocalFileSystem(auto_mkdir=True), str(root / bucket),
                     {"root": root})
    if type_name == "s3":
        import s3fs

        server = request.getfixturevalue("moto_server")
        fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=server.endpoint,
                               use_listings_cache=False, skip_instance_cache=True)
        fs.mkdir(bucket)
        fields = {"bucket": bucket, "s3_endpoint": server.endpoint, "aws_access_key_id": "testing",
                  "aws_secret_access_key": "testing"}
        return Store(type_name, bucket, fields, fs, bucket)
    if type_name == "gcs":
        import gcsfs

        server = request.getfixturevalue("gcs_server")
        sa = request.getfixturevalue("gcs_service_account")
        fs = gcsfs.GCSFileSystem(endpoint_url=server.endpoint, token="anon", project="lsx",
                                 use_listings_cache=False, skip_instance_cache=True)
        fs.mkdir(bucket)
        fields = {"bucket": bucket, "endpoint_url": server.endpoint, "google_application_credentials": sa}
        return Store(type_name, bucket, fields, fs, bucket)
    if type_name == "azure":
        import adlfs

        from tests.plugins.storage import AZURITE_ACCOUNT, AZURITE_KEY

        server = request.getfixturevalue("azurite_server")
        conn = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
                f"BlobEndpoint={server.endpoint};")
        fs = adlfs.AzureBlobFileSystem(connection_string=conn, skip_instance_cache=True, use_listings_cache=False)
        fs.mkdir(bucket)
        fields = {"container": bucket, "endpoint_url": server.endpoint, "account_name": AZURITE_ACCOUNT,
                  "account_key": AZURITE_KEY}
        return Store(type_name, bucket, fields, fs, bucket)
    raise ValueError(type_name)


@pytest.fixture(params=TYPES)
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    return make_store(request.param, request, tmp_path, monkeypatch)


@pytest.fixture
def local_store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    return make_store("localfiles", request, tmp_path, monkeypatch)


@pytest.fixture
def sws(store: Store, ws: Workspace) -> Workspace:
    """The workspace, reopened settings-wise after the store set LSX_LOCAL_FILES_ROOT."""
    from lsx.engine.settings import load_settings

    ws.settings = load_settings()
    return ws


@pytest.fixture
def make_project(ws: Workspace, owner: Actor) -> Callable[..., int]:
    from lsx.engine.projects import create_project

    def make(config: str = IMAGE_CONFIG, title: str = "p") -> int:
        with ws.session() as s:
            return create_project(s, owner, title, label_config=config).id

    return make


def tasks_of(ws: Workspace, project_id: int) -> list[Any]:
    from sqlalchemy import select

    from lsx.engine.db.models import Task

    with ws.read() as s:
        rows = list(s.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.id)))
        for r in rows:
            s.expunge(r)
        return rows


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_SESSION", "AZURE_STORAGE")):
            monkeypatch.delenv(key)
    yield
