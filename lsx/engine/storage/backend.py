"""The one interface every storage type implements, and the registry types plug into.

A backend wraps an fsspec filesystem for one bucket (or container, or local folder) and adds what
fsspec does not say uniformly: a streamed listing with ETag and size, blob URIs, presigned URLs and
the credential check. Types register by name; third parties add more through the
`lsx.storages` entry-point group (each entry point names a module that calls `register_backend`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import IO, Any, ClassVar

from lsx.engine.errors import InputError

log = logging.getLogger("lsx.storage")


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One object as listed: its key in the bucket, a change token (ETag/generation/mtime) and size."""

    key: str
    etag: str
    size: int


@dataclass
class StorageSpec:
    """What a backend needs to reach the store: the storage's fields with secrets resolved."""

    type: str
    bucket: str
    prefix: str = ""
    regex_filter: str = ""
    recursive_scan: bool = False
    endpoint_url: str = ""
    region_name: str = ""
    credentials: dict[str, Any] = field(default_factory=dict)
    local_root: str = ""  # LSX_LOCAL_FILES_ROOT, for local storages


class Backend:
    """Base class: fsspec does the I/O; subclasses give the filesystem and the store's specifics."""

    type_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    uri_scheme: ClassVar[str] = ""  # "s3" -> s3://bucket/key
    secret_fields: ClassVar[tuple[str, ...]] = ()
    credential_fields: ClassVar[tuple[str, ...]] = ()
    # The store lists keys in byte order (S3, GCS, Azure do); else the sync sorts the listing itself.
    sorted_listing: ClassVar[bool] = True

    def __init__(self, spec: StorageSpec) -> None:
        self.spec = spec
        self._fs: Any = None
        self._regex = re.compile(spec.regex_filter) if spec.regex_filter else None

    # -- the filesystem ------------------------------------------------------------------------
    @property
    def fs(self) -> Any:
        if self._fs is None:
            self._fs = self.make_fs()
        return self._fs

    def make_fs(self) -> Any:
        raise NotImplementedError

    def path(self, key: str) -> str:
        """The fsspec path of a key."""
        return f"{self.spec.bucket}/{key}"

    @property
    def prefix(self) -> str:
        return self.spec.prefix.strip("/")

    def join(self, name: str) -> str:
        """A key under the storage's prefix."""
        return f"{self.prefix}/{name}" if self.prefix else name

    # -- listing -------------------------------------------------------------------------------
    def matches(self, key: str) -> bool:
        """Label Studio's filter: `re.match` (anchored at the start) on the key; folders never match."""
        if key.endswith("/"):
            return False
        return self._regex is None or self._regex.match(key) is not None

    def iter_objects(self) -> Iterator[ObjectInfo]:
        """Every object under the prefix that passes the filter (recursively with `recursive_scan`)."""
        for info in self.list_raw():
            if self.matches(info.key):
                yield info

    def list_raw(self) -> Iterator[ObjectInfo]:
        """The listing before the filter; the default asks fsspec (whole listing in memory)."""
        root = self.path(self.prefix) if self.prefix else self.spec.bucket
        if self.spec.recursive_scan:
            entries = self.fs.find(root, detail=True, withdirs=False).values()
        else:
            entries = [e for e in self.fs.ls(root, detail=True) if e.get("type") == "file"]
        bucket = self.spec.bucket.strip("/") + "/"
        for e in sorted(entries, key=lambda e: e["name"]):
            yield ObjectInfo(e["name"].removeprefix(bucket), self.etag_of(e), int(e.get("size") or 0))

    def etag_of(self, entry: dict[str, Any]) -> str:
        return str(entry.get("ETag") or entry.get("etag") or entry.get("generation") or "").strip('"')

    # -- objects -------------------------------------------------------------------------------
    def uri(self, key: str) -> str:
        """The blob URL a task gets for a media object."""
        return f"{self.uri_scheme}://{self.spec.bucket}/{key}"

    def key_of_uri(self, uri: str) -> str | None:
        """The key of one of this storage's URIs, else None (another bucket, another scheme)."""
        head = f"{self.uri_scheme}://{self.spec.bucket}/"
        return uri[len(head):] if uri.startswith(head) else None

    def open(self, key: str, mode: str = "rb") -> IO[bytes]:
        return self.fs.open(self.path(key), mode)

    def info(self, key: str) -> dict[str, Any]:
        return self.fs.info(self.path(key))

    def read_range(self, key: str, start: int, end: int | None) -> bytes:
        """Bytes [start, end) of an object (end None: to the end)."""
        return self.fs.cat_file(self.path(key), start=start, end=end)

    def put_atomic(self, key: str, data: bytes) -> None:
        """Write under a temporary key, then move it into place: readers never see half an object."""
        tmp = f"{key}.lsx-tmp-{uuid.uuid4().hex[:12]}"
        self.fs.pipe_file(self.path(tmp), data)
        try:
            self.fs.mv(self.path(tmp), self.path(key))
        except BaseException:
            self.delete(tmp)
            raise

    def delete(self, key: str) -> None:
        try:
            self.fs.rm_file(self.path(key))
        except FileNotFoundError:
            pass

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self.path(key)))

    # -- access --------------------------------------------------------------------------------
    def presign(self, key: str, ttl_seconds: int) -> str | None:
        """A URL that reads the object without credentials for `ttl_seconds`; None when unsupported."""
        return None

    def validate(self) -> None:
        """Reach the store with the credentials; raise InputError saying what is wrong."""
        root = self.path(self.prefix) if self.prefix else self.spec.bucket
        try:
            self.fs.ls(root, detail=False)
        except FileNotFoundError:
            if self.prefix:
                return  # an empty prefix in an existing bucket is fine
            raise InputError(f"{self.type_name} storage: {self.spec.bucket!r} does not exist") from None
        except PermissionError as exc:
            raise InputError(f"{self.type_name} storage: access denied to {self.spec.bucket!r}: {exc}") from None
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{self.type_name} storage: cannot reach {self.spec.bucket!r}: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def stream_async(
    loop: asyncio.AbstractEventLoop, agen: Callable[[], AsyncIterator[Any]], depth: int = 16
) -> Iterator[Any]:
    """Iterate an async generator that must run on fsspec's event loop, from sync code, a bounded
    number of items ahead (so a listing of millions of keys never sits in memory). The generator
    runs on the loop's thread while the caller works: the listing overlaps the database writes."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    space: list[asyncio.Event] = []  # set by the consumer (through the loop) after each get

    async def pump() -> None:
        space.append(asyncio.Event())
        try:
            async with contextlib.aclosing(agen()) as items:  # closed here, not whenever it is collected
                async for item in items:
                    while not stop.is_set():
                        try:
                            q.put_nowait(("item", item))
                            break
                        except queue.Full:
                            space[0].clear()  # a get after this schedules set() after our await: no lost wake-up
                            await space[0].wait()
                    if stop.is_set():
                        return
            q.put(("end", None))
        except BaseException as exc:
            q.put(("error", exc))

    def wake() -> None:
        if space:
            space[0].set()

    future = asyncio.run_coroutine_threadsafe(pump(), loop)
    try:
        while True:
            kind, value = q.get()
            loop.call_soon_threadsafe(wake)
            if kind == "item":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        stop.set()
        while not q.empty():
            q.get_nowait()
        loop.call_soon_threadsafe(wake)
        future.cancel()


# -- the registry ---------------------------------------------------------------------------------

BACKENDS: dict[str, type[Backend]] = {}
ALIASES = {"local": "localfiles", "gs": "gcs", "azure_blob": "azure", "azure-blob": "azure"}
_loaded = False


def register_backend(cls: type[Backend]) -> type[Backend]:
    BACKENDS[cls.type_name] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from lsx.engine.storage import azure, gcs, local, s3  # noqa: F401  (built-ins register themselves)

    for ep in entry_points(group="lsx.storages"):
        try:
            ep.load()
        except Exception:
            log.exception("storage plugin %s failed to load", ep.name)


def storage_types() -> list[str]:
    _load()
    return sorted(BACKENDS)


def backend_class(type_name: str) -> type[Backend]:
    _load()
    name = ALIASES.get(type_name.lower(), type_name.lower())
    try:
        return BACKENDS[name]
    except KeyError:
        raise InputError(f"unknown storage type {type_name!r}; types: {', '.join(sorted(BACKENDS))}") from None


def canonical_type(type_name: str) -> str:
    return backend_class(type_name).type_name
