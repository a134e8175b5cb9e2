"""Azure Blob Storage through adlfs; SAS URLs for reading. Credentials: account name and key, or a
connection string, from the storage or the environment (AZURE_STORAGE_*)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from lsx.engine.errors import InputError
from lsx.engine.storage.backend import Backend, register_backend


@register_backend
class AzureBackend(Backend):
    type_name = "azure"
    title = "Azure Blob Storage"
    uri_scheme = "azure-blob"
    secret_fields = ("account_name", "account_key", "connection_string")
    credential_fields = secret_fields

    def _creds(self) -> tuple[str, str, str]:
        c = self.spec.credentials
        name = c.get("account_name") or os.environ.get("AZURE_STORAGE_ACCOUNT_NAME", "")
        key = c.get("account_key") or os.environ.get("AZURE_STORAGE_ACCOUNT_KEY", "")
        conn = c.get("connection_string") or ("" if name else os.environ.get("AZURE_STORAGE_CONNECTION_STRING", ""))
        return name, key, conn

    def connection_string(self) -> str:
        name, key, conn = self._creds()
        if conn:
            return conn
        if not name or not key:
            raise InputError("azure storage: give account_name and account_key (or set AZURE_STORAGE_ACCOUNT_NAME "
                             "and AZURE_STORAGE_ACCOUNT_KEY, or AZURE_STORAGE_CONNECTION_STRING)")
        endpoint = self.spec.endpoint_url.rstrip("/") or f"https://{name}.blob.core.windows.net"
        protocol = "http" if endpoint.startswith("http:") else "https"
        return f"DefaultEndpointsProtocol={protocol};AccountName={name};AccountKey={key};BlobEndpoint={endpoint};"

    def make_fs(self) -> Any:
        import adlfs

        return adlfs.AzureBlobFileSystem(connection_string=self.connection_string(), skip_instance_cache=True,
                                         use_listings_cache=False)

    def etag_of(self, entry: dict[str, Any]) -> str:
        return str(entry.get("etag") or entry.get("ETag") or entry.get("last_modified") or "").strip('"')

    def _service(self) -> Any:
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient.from_connection_string(self.connection_string())

    def presign(self, key: str, ttl_seconds: int) -> str | None:
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas

        service = self._service()
        name = service.account_name
        account_key = service.credential.account_key if service.credential else None
        if not account_key:
            return None
        sas = generate_blob_sas(
            account_name=name, container_name=self.spec.bucket, blob_name=key, account_key=account_key,
            permission=BlobSasPermissions(read=True), expiry=datetime.now(UTC) + timedelta(seconds=ttl_seconds),
        )
        blob = service.get_blob_client(self.spec.bucket, key)
        return f"{blob.url}?{sas}"

    def validate(self) -> None:
        try:
            container = self._service().get_container_client(self.spec.bucket)
            next(iter(container.list_blobs(results_per_page=1)), None)
        except InputError:
            raise
        except Exception as exc:
            kind = type(exc).__name__
            if "Authentic" in kind or "authenticate" in str(exc) or "403" in str(exc):
                raise InputError(f"azure storage: the account name or key was refused ({kind})") from None
            if "ResourceNotFound" in kind or "ContainerNotFound" in str(exc):
                raise InputError(f"azure storage: container {self.spec.bucket!r} does not exist") from None
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else kind
            raise InputError(f"azure storage: cannot reach container {self.spec.bucket!r}: {first[:300]}") from None
