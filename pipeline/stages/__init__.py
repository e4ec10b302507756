"""The stages of the pipeline, in the order a page goes through them.

`pipeline.cascade.process_document` runs stages 2 to 6 on one page; the batch job
(`pipeline.batch.runner`) runs stage 1 before and stages 7 and 8 on all pages' results.
No stage imports another (import-linter, `pyproject.toml`): what two stages share is
knowledge (`pipeline.knowledge`) or a record (`pipeline.models`)."""
