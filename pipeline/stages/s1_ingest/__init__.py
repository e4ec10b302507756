"""Stage 1, ingest: a directory of pages and WARC snapshots in, `Document`s out."""

from pipeline.stages.s1_ingest.files import Listing, display_name, iter_documents, list_input

__all__ = ["Listing", "display_name", "iter_documents", "list_input"]
