"""Import and export storages (S3, GCS, Azure Blob, local folders) on fsspec, and their syncs.

Front ends use what is exported here. Storage types plug in through `register_backend` (or the
`lsx.storages` entry-point group); syncs run as jobs (`lsx.engine.storage.jobs`).
"""

from __future__ import annotations

from lsx.engine.storage import models as models  # the storage tables join Base.metadata
from lsx.engine.storage.backend import (
    Backend,
    ObjectInfo,
    StorageSpec,
    backend_class,
    register_backend,
    storage_types,
)
from lsx.engine.storage.export_sync import ExportSyncReport, sync_export
from lsx.engine.storage.import_sync import SyncReport, sync_import
from lsx.engine.storage.models import EXPORT, IMPORT, Storage
from lsx.engine.storage.service import (
    backend_for,
    create_storage,
    delete_storage,
    get_storage,
    list_storages,
    storage_json,
    update_storage,
)
from lsx.engine.storage.sync import SyncOutcome, sync_many, sync_storage

__all__ = [
    "EXPORT",
    "IMPORT",
    "Backend",
    "ExportSyncReport",
    "ObjectInfo",
    "Storage",
    "StorageSpec",
    "SyncOutcome",
    "SyncReport",
    "backend_class",
    "backend_for",
    "create_storage",
    "delete_storage",
    "get_storage",
    "list_storages",
    "register_backend",
    "storage_json",
    "storage_types",
    "sync_export",
    "sync_import",
    "sync_many",
    "sync_storage",
    "update_storage",
]
