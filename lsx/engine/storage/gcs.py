"""Google Cloud Storage through gcsfs; signed URLs (V4) from a service-account key.

With `endpoint_url` set (an emulator or a GCS-compatible store) the filesystem talks to it
anonymously and the service-account key, if any, is used only to sign URLs.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any

from lsx.engine.errors import InputError
from lsx.engine.storage.backend import Backend, register_backend

# gcsfs probes for hierarchical-namespace buckets on every call unless told not to; against an
# emulator each probe hangs for a minute. It reads this once, at import.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")


@register_backend
class GCSBackend(Backend):
    type_name = "gcs"
    title = "Google Cloud Storage"
    uri_scheme = "gs"
    secret_fields = ("google_application_credentials",)
    credential_fields = (*secret_fields, "google_project_id")

    def _service_account(self) -> dict[str, Any] | None:
        raw = self.spec.credentials.get("google_application_credentials") or ""
        if not raw:
            path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "")
            if not path or not os.path.isfile(path):
                return None
            with open(path) as fh:
                raw = fh.read()
        try:
            info = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except ValueError:
            raise InputError("gcs storage: google_application_credentials is not valid JSON") from None
        if not isinstance(info, dict):
            raise InputError("gcs storage: google_application_credentials must be a JSON object")
        return info

    def make_fs(self) -> Any:
        import gcsfs

        project = self.spec.credentials.get("google_project_id") or None
        if self.spec.endpoint_url:
            return gcsfs.GCSFileSystem(endpoint_url=self.spec.endpoint_url, token="anon", project=project or "lsx",
                                       skip_instance_cache=True, use_listings_cache=False)
        info = self._service_account()
        return gcsfs.GCSFileSystem(token=info, project=project, skip_instance_cache=True, use_listings_cache=False)

    def put_atomic(self, key: str, data: bytes) -> None:
        """Temporary object, then a server-side copy and delete (GCS's moveTo is not everywhere yet)."""
        import uuid

        tmp = self.path(f"{key}.lsx-tmp-{uuid.uuid4().hex[:12]}")
        self.fs.pipe_file(tmp, data)
        try:
            self.fs.copy(tmp, self.path(key))
        finally:
            self.fs.rm_file(tmp)

    def etag_of(self, entry: dict[str, Any]) -> str:
        return str(entry.get("generation") or entry.get("etag") or entry.get("md5Hash") or "")

    def presign(self, key: str, ttl_seconds: int) -> str | None:
        info = self._service_account()
        if info is None:
            return None
        from urllib.parse import quote

        from google.cloud.storage._signing import generate_signed_url_v4
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_info(info)
        endpoint = self.spec.endpoint_url.rstrip("/") or "https://storage.googleapis.com"
        return str(generate_signed_url_v4(
            credentials, f"/{self.spec.bucket}/{quote(key, safe='/~')}", timedelta(seconds=ttl_seconds),
            api_access_endpoint=endpoint, method="GET",
        ))
