"""Local folders under LSX_LOCAL_FILES_ROOT (Label Studio's LOCAL_FILES_DOCUMENT_ROOT).

Every path is checked against the root after resolving symlinks, and any request path that could
escape it (`..`, absolute paths, backslashes, percent-encoded forms of those) is refused outright
with PermissionDenied, before the filesystem is touched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from lsx.engine.errors import InputError, NotFound, PermissionDenied
from lsx.engine.storage.backend import Backend, ObjectInfo, register_backend

LOCAL_FILES_URL = "/data/local-files/"
_DRIVE = re.compile(r"^[A-Za-z]:")


def local_root(root_setting: str) -> Path:
    """The resolved root folder; InputError when local storage is off (the setting is empty)."""
    if not root_setting:
        raise InputError("local storage is off: set LSX_LOCAL_FILES_ROOT to the folder local storages may read")
    root = Path(root_setting).expanduser().resolve()
    if not root.is_dir():
        raise InputError(f"LSX_LOCAL_FILES_ROOT {root} is not a folder")
    return root


def _unsafe(text: str) -> bool:
    if not text or "\x00" in text or "\\" in text or "\ufffd" in text:
        return True
    if text.startswith(("/", "~")) or _DRIVE.match(text):
        return True
    return ".." in text.split("/")


def check_relative(d: str) -> str:
    """A request's path relative to the root, refused (PermissionDenied) in any escaping form,
    including forms that only escape after one or more further percent-decodings."""
    seen = d
    for _ in range(4):
        if _unsafe(seen):
            raise PermissionDenied("path is outside the local files root")
        decoded = unquote(seen, errors="replace")
        if decoded == seen:
            break
        seen = decoded
    return d


def resolve_under(root: Path, relative: str) -> Path:
    """root/relative with symlinks resolved; PermissionDenied if it leaves the root."""
    check_relative(relative)
    path = (root / relative).resolve()
    if path != root and root not in path.parents:
        raise PermissionDenied("path is outside the local files root")
    return path


def local_file(ws: Any, actor: Any, d: str) -> Path:
    """The file `/data/local-files/?d=<d>` serves: under the root (else PermissionDenied, whatever
    the encoding) and inside a local storage of a project of the actor's organization (else NotFound)."""
    from sqlalchemy import select

    from lsx.engine.db.models import Project
    from lsx.engine.storage.models import Storage

    root_setting = ws.settings.local_files_root
    if not root_setting:
        raise PermissionDenied("serving local files is off (LSX_LOCAL_FILES_ROOT is not set)")
    root = local_root(root_setting)
    path = resolve_under(root, d)
    with ws.read() as s:
        bases = s.scalars(select(Storage.bucket).join(Project, Project.id == Storage.project_id).where(
            Project.organization_id == actor.organization_id, Storage.type == "localfiles"))
        allowed = False
        for bucket in bases:
            given = Path(bucket).expanduser()
            base = (given if given.is_absolute() else root / given).resolve()
            if base == path or base in path.parents:
                allowed = True
                break
    if not allowed or not path.is_file():
        raise NotFound(f"file {d!r} not found")
    return path


@register_backend
class LocalBackend(Backend):
    type_name = "localfiles"
    title = "Local files"
    uri_scheme = ""
    sorted_listing = False

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.root = local_root(spec.local_root)
        given = Path(spec.bucket).expanduser()
        base = given if given.is_absolute() else self.root / given
        self.base = base.resolve()
        if self.base != self.root and self.root not in self.base.parents:
            raise InputError(f"local storage path {spec.bucket} is not under LSX_LOCAL_FILES_ROOT ({self.root})")

    def make_fs(self) -> Any:
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem()

    def path(self, key: str) -> str:
        return str(resolve_under(self.root, str((self.base / key).relative_to(self.root))))

    def list_raw(self) -> Iterator[ObjectInfo]:
        start = self.base / self.prefix if self.prefix else self.base
        if not start.is_dir():
            return
        out: list[ObjectInfo] = []
        for dirpath, dirnames, filenames in os.walk(start, followlinks=False):
            if not self.spec.recursive_scan:
                dirnames[:] = []
            for name in filenames:
                full = Path(dirpath) / name
                try:
                    real = full.resolve()
                    if self.root not in real.parents:
                        continue  # a symlink out of the root is never listed
                    st = real.stat()
                except OSError:
                    continue
                key = str(full.relative_to(self.base))
                out.append(ObjectInfo(key, f"{st.st_mtime_ns:x}-{st.st_size:x}", st.st_size))
        out.sort(key=lambda o: o.key)
        yield from out

    def uri(self, key: str) -> str:
        rel = (self.base / key).relative_to(self.root)
        return f"{LOCAL_FILES_URL}?d={quote(str(rel), safe='/')}"

    def key_of_uri(self, uri: str) -> str | None:
        parts = urlsplit(uri)
        if not parts.path.endswith(LOCAL_FILES_URL.rstrip("/")) and not parts.path.endswith(LOCAL_FILES_URL):
            return None
        d = parse_qs(parts.query).get("d", [""])[0]
        if not d:
            return None
        path = resolve_under(self.root, d)
        if self.base != path and self.base not in path.parents:
            return None
        return str(path.relative_to(self.base))

    def open(self, key: str, mode: str = "rb") -> IO[bytes]:
        if "w" in mode:
            Path(self.path(key)).parent.mkdir(parents=True, exist_ok=True)
        return open(self.path(key), mode)

    def info(self, key: str) -> dict[str, Any]:
        st = os.stat(self.path(key))
        return {"size": st.st_size, "ETag": f"{st.st_mtime_ns:x}-{st.st_size:x}"}

    def read_range(self, key: str, start: int, end: int | None) -> bytes:
        with open(self.path(key), "rb") as fh:
            fh.seek(start)
            return fh.read(-1 if end is None else end - start)

    def put_atomic(self, key: str, data: bytes) -> None:
        target = Path(self.path(key))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.lsx-tmp-{os.getpid()}")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    def delete(self, key: str) -> None:
        Path(self.path(key)).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return Path(self.path(key)).exists()

    def presign(self, key: str, ttl_seconds: int) -> str | None:
        return self.uri(key)

    def validate(self) -> None:
        if not self.base.is_dir():
            raise InputError(f"local storage path {self.base} is not a folder")
