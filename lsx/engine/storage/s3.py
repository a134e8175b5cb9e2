"""Amazon S3 and S3-compatible stores (MinIO, moto, ...) through s3fs.

The listing streams page by page from ListObjectsV2, so memory stays flat on any bucket size.
Credentials come from the storage, else from boto's usual chain (AWS_* variables, profiles, roles).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from lsx.engine.errors import InputError
from lsx.engine.storage.backend import Backend, ObjectInfo, register_backend, stream_async


@register_backend
class S3Backend(Backend):
    type_name = "s3"
    title = "Amazon S3"
    uri_scheme = "s3"
    secret_fields = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    credential_fields = (*secret_fields, "aws_sse_kms_key_id")

    def make_fs(self) -> Any:
        import s3fs

        c = self.spec.credentials
        client_kwargs: dict[str, Any] = {}
        if self.spec.endpoint_url:
            client_kwargs["endpoint_url"] = self.spec.endpoint_url
        if self.spec.region_name:
            client_kwargs["region_name"] = self.spec.region_name
        return s3fs.S3FileSystem(
            key=c.get("aws_access_key_id") or None,
            secret=c.get("aws_secret_access_key") or None,
            token=c.get("aws_session_token") or None,
            client_kwargs=client_kwargs,
            use_listings_cache=False,
            skip_instance_cache=True,
        )

    def list_raw(self) -> Iterator[ObjectInfo]:
        fs = self.fs
        prefix = self.prefix + "/" if self.prefix else ""
        kwargs: dict[str, Any] = {"Bucket": self.spec.bucket, "Prefix": prefix}
        if not self.spec.recursive_scan:
            kwargs["Delimiter"] = "/"

        async def pages() -> AsyncIterator[Any]:
            await fs.set_session()
            async for page in fs._list_pages("list_objects_v2", **kwargs):
                yield [(c["Key"], c.get("ETag", ""), c.get("Size", 0)) for c in page.get("Contents", ())]

        try:
            for page in stream_async(fs.loop, pages):
                for key, etag, size in page:
                    yield ObjectInfo(key, etag.strip('"'), int(size))
        except FileNotFoundError:
            raise InputError(f"s3 storage: bucket {self.spec.bucket!r} does not exist") from None

    def presign(self, key: str, ttl_seconds: int) -> str | None:
        return str(self.fs.url(self.path(key), expires=ttl_seconds))

    def validate(self) -> None:
        try:
            self.fs.call_s3("list_objects_v2", Bucket=self.spec.bucket, MaxKeys=1)
        except PermissionError as exc:
            raise InputError(f"s3 storage: access to bucket {self.spec.bucket!r} denied: {exc}") from None
        except FileNotFoundError:
            raise InputError(f"s3 storage: bucket {self.spec.bucket!r} does not exist") from None
        except Exception as exc:
            raise InputError(f"s3 storage: cannot reach bucket {self.spec.bucket!r}: {exc}") from None
