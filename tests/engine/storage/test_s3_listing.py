"""The S3 backend's streamed listing: its own page parse (lxml) gives what botocore would, only for
the sync's listing calls, across pages, with odd keys; other calls on the same client are untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsx.engine.storage.backend import StorageSpec
from lsx.engine.storage.s3 import OBJECTS, S3Backend, parse_listing_page
from tests.engine.storage.conftest import make_store

PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p%2F</Prefix>
<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
<NextContinuationToken>tok</NextContinuationToken>
<Contents><Key>p/a+b%26c.jpg</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>
<ETag>&quot;abc-2&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Size>3</Size><ETag>"def"</ETag><Key>p/%C3%A9t%C3%A9.png</Key></Contents>
<CommonPrefixes><Prefix>p/sub%2F</Prefix></CommonPrefixes></ListBucketResult>"""


def test_parse_listing_page_decodes_keys_and_etags_and_keeps_the_rest() -> None:
    parsed = parse_listing_page(PAGE)
    assert parsed is not None
    objects, rest = parsed
    assert objects == [("p/a b&c.jpg", "abc-2", 12), ("p/été.png", "def", 3)]
    assert b"Contents" not in rest
    for kept in (b"<NextContinuationToken>tok<", b"<IsTruncated>true<", b"<CommonPrefixes>", b"<EncodingType>url<"):
        assert kept in rest
    assert parse_listing_page(b"<Error><Code>NoSuchBucket</Code></Error>") is None
    assert parse_listing_page(b"not xml") is None
    assert parse_listing_page(PAGE.replace(b"<EncodingType>url</EncodingType>", b""))[0][0][0] == "p/a+b%26c.jpg"


@pytest.fixture
def s3(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return make_store("s3", request, tmp_path, monkeypatch)


def test_listing_pages_odd_keys_and_other_calls_untouched(s3, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    keys = [f"img/{i:04d}.jpg" for i in range(1203)] + ["img/a b+c&d%e.jpg", "img/été.jpg", "img/sub/x.jpg", "top.jpg"]
    s3.fs.pipe({f"{s3.bucket}/{key}": b"x" * (len(key) % 7) for key in keys})  # concurrently
    backend = S3Backend(StorageSpec("s3", s3.bucket, "img", endpoint_url=s3.fields["s3_endpoint"],
                                    credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}))
    flat = list(backend.list_raw())
    expected = sorted(k for k in keys if k.startswith("img/") and "/" not in k[4:])
    assert [o.key for o in flat] == expected  # two pages plus one, in key order, folders left out
    sizes = {o.key: o.size for o in flat}
    assert sizes["img/a b+c&d%e.jpg"] == len("img/a b+c&d%e.jpg") % 7
    assert all(o.etag and '"' not in o.etag for o in flat)

    backend.spec.recursive_scan = True
    deep = [o.key for o in backend.list_raw()]
    assert deep == sorted(k for k in keys if k.startswith("img/"))

    # The same client answers everyone else in full (botocore's parse), before and after a listing.
    fs = backend.fs
    page = fs.call_s3("list_objects_v2", Bucket=s3.bucket, Prefix="img/000", MaxKeys=5)
    assert OBJECTS not in page and len(page["Contents"]) == 5 and "LastModified" in page["Contents"][0]
    assert len(fs.find(f"{s3.bucket}/img")) == len(deep)


def test_listing_stops_early_and_reports_a_missing_bucket(s3, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A consumer that stops after one page leaves no request hanging (the next page was already
    asked for); a bucket that is gone is a clear error, not a hang on the early token."""
    import itertools

    from lsx.engine.errors import InputError

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3.fs.pipe({f"{s3.bucket}/k/{i:05d}": b"x" for i in range(1500)})
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    backend = S3Backend(StorageSpec("s3", s3.bucket, "k", endpoint_url=s3.fields["s3_endpoint"], credentials=creds))
    listing = backend.list_raw()
    assert [o.key for o in itertools.islice(listing, 1001)][-1] == "k/01000"
    listing.close()
    assert sum(1 for _ in backend.list_raw()) == 1500  # the same client lists again, whole

    gone = S3Backend(StorageSpec("s3", "no-such-bucket-here", "", endpoint_url=s3.fields["s3_endpoint"],
                                 credentials=creds))
    with pytest.raises(InputError, match="does not exist"):
        list(gone.list_raw())
