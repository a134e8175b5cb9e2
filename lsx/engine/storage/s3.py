"""Amazon S3 and S3-compatible stores (MinIO, moto, ...) through s3fs.

The listing streams page by page from ListObjectsV2, so memory stays flat on any bucket size.
Credentials come from the storage, else from boto's usual chain (AWS_* variables, profiles, roles).

botocore's own parse of a listing page costs ~0.1 ms per key (a dict per object, a dateutil parse of
LastModified): more than the rest of a sync together. For the sync's own listing calls the page
body is read with lxml instead (key, ETag and size only, ~10 us per key) and botocore parses what is
left (truncation, continuation token, common prefixes), so signing, retries, redirects and error
handling all stay botocore's.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
from collections.abc import AsyncIterator, Iterator
from html import unescape
from typing import Any
from urllib.parse import unquote_plus

from lsx.engine.errors import InputError
from lsx.engine.storage.backend import Backend, ObjectInfo, register_backend, stream_async

# Set by the sync's listing requests: only they take the fast parse, so any other caller of the same
# client (s3fs's ls/find/info) still gets botocore's full answer. The value is a future that learns
# the page's continuation token (None: last page) as soon as the body is in.
_FAST_LISTING: contextvars.ContextVar[asyncio.Future[str | None] | None] = contextvars.ContextVar(
    "lsx_s3_fast_listing", default=None)
_TOKEN = re.compile(rb"<NextContinuationToken>([^<]*)</NextContinuationToken>")
OBJECTS = "LsxObjects"  # the parsed page's (key, etag, size) tuples
_XML_PARSER: Any = None


def _parser() -> Any:
    global _XML_PARSER
    if _XML_PARSER is None:
        from lxml import etree

        _XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    return _XML_PARSER


def parse_listing_page(body: bytes) -> tuple[list[tuple[str, str, int]], bytes] | None:
    """A ListObjectsV2 page's objects as (key, etag without quotes, size), and the body without its
    <Contents> elements; None when the body is not a listing (botocore then reports it)."""
    from lxml import etree

    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError:
        return None
    ns = root.nsmap.get(None)
    tag = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
    if root.tag != tag("ListBucketResult"):
        return None
    key_tag, etag_tag, size_tag = tag("Key"), tag("ETag"), tag("Size")
    url = root.findtext(tag("EncodingType")) == "url"
    objects = []
    contents = root.findall(tag("Contents"))
    for c in contents:
        key = c.findtext(key_tag) or ""
        objects.append((unquote_plus(key) if url else key, (c.findtext(etag_tag) or "").strip('"'),
                        int(c.findtext(size_tag) or 0)))
        root.remove(c)
    return objects, etree.tostring(root)


def _before_parse(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    early = _FAST_LISTING.get()
    if early is None or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes | bytearray) or not body:
        return
    if not early.done() and b"<ListBucketResult" in body[:512]:
        # the next page's request can leave now, while this one is parsed
        m = _TOKEN.search(body)
        truncated = b"<IsTruncated>true</IsTruncated>" in body
        early.set_result(unescape(m.group(1).decode()) if truncated and m else None)
    parsed = parse_listing_page(bytes(body))
    if parsed is None:
        return
    customized_response_dict[OBJECTS], response_dict["body"] = parsed


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

        async def fetch(token: str | None, early: asyncio.Future[str | None]) -> Any:
            _FAST_LISTING.set(early)  # in this request's own task context only
            return await fs._call_s3("list_objects_v2", **kwargs, **({"ContinuationToken": token} if token else {}))

        async def pages() -> AsyncIterator[Any]:
            """Pages in order, the next request sent as soon as a page's body is in (its token read
            from the raw body), so the store never waits for the client to parse."""
            await fs.set_session()
            # once per client (s3fs may make a new one); a page of a client without it is parsed whole
            fs.s3.meta.events.register("before-parse.s3.ListObjectsV2", _before_parse, unique_id="lsx-fast-listing")
            loop = asyncio.get_running_loop()
            early: asyncio.Future[str | None] = loop.create_future()
            current = asyncio.ensure_future(fetch(None, early))
            following: asyncio.Future[Any] | None = None
            try:
                while True:
                    await asyncio.wait({early, current}, return_when=asyncio.FIRST_COMPLETED)
                    if early.done():
                        token = early.result()
                    else:  # no early token (an odd body or an error): go by the parsed answer
                        page = await current
                        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
                    if token:
                        early = loop.create_future()
                        following = asyncio.ensure_future(fetch(token, early))
                    page = await current
                    objects = page.get(OBJECTS)
                    if objects is None:  # botocore parsed it all: take its answer
                        objects = [(c["Key"], c.get("ETag", "").strip('"'), c.get("Size", 0))
                                   for c in page.get("Contents", ())]
                    yield [ObjectInfo(key, etag, int(size)) for key, etag, size in objects]
                    if following is None:
                        return
                    current, following = following, None
            finally:
                for task in (current, following):
                    if task is not None and not task.done():
                        task.cancel()

        try:
            for page in stream_async(fs.loop, pages):
                yield from page
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
