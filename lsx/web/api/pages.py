"""Pagination links in Django REST framework's shape."""

from __future__ import annotations

from typing import Any

from aiohttp import web


def page_link(request: web.Request, page: int) -> str:
    return str(request.url.update_query(page=str(page)))


def drf_page(request: web.Request, results: list[Any], count: int, page: int, page_size: int) -> dict[str, Any]:
    has_next = page * page_size < count
    return {
        "count": count,
        "next": page_link(request, page + 1) if has_next else None,
        "previous": page_link(request, page - 1) if page > 1 else None,
        "results": results,
    }
