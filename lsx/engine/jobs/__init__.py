"""Background jobs: DB records with status, progress, attempts and errors; run inline (the embedded
default) or on RQ workers when LSX_REDIS_URL is set.

Front ends use only what is exported here. Kinds register with `register_kind`; webhooks and the like
`subscribe` to job events (`lsx.engine.jobs.events`).
"""

from __future__ import annotations

from lsx.engine.jobs import models as models  # the jobs table joins Base.metadata
from lsx.engine.jobs.errors import JobBusy, JobTimeout
from lsx.engine.jobs.events import emit, subscribe
from lsx.engine.jobs.handle import JobHandle
from lsx.engine.jobs.info import JobInfo, export_status, storage_status
from lsx.engine.jobs.kinds import import_owned_by_live_job
from lsx.engine.jobs.models import CANCELED, FAILED, FINISHED, QUEUED, STARTED, STATUSES, Job
from lsx.engine.jobs.registry import KindSpec, get_kind, kinds, register_kind
from lsx.engine.jobs.service import (
    cancel_job,
    get_job,
    list_jobs,
    make_queue,
    retry_job,
    run_job,
    run_job_async,
    submit_job,
    wait_job,
)

__all__ = [
    "CANCELED",
    "FAILED",
    "FINISHED",
    "QUEUED",
    "STARTED",
    "STATUSES",
    "Job",
    "JobBusy",
    "JobHandle",
    "JobInfo",
    "JobTimeout",
    "KindSpec",
    "cancel_job",
    "emit",
    "export_status",
    "get_job",
    "get_kind",
    "import_owned_by_live_job",
    "kinds",
    "list_jobs",
    "make_queue",
    "register_kind",
    "retry_job",
    "run_job",
    "run_job_async",
    "storage_status",
    "submit_job",
    "subscribe",
    "wait_job",
]
