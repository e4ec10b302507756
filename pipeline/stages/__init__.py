"""The stages of the pipeline, in the order a page goes through them; `pipeline.cascade.process_document` runs 1 to 5 on one page, the batch job runs 6 to 8 on all pages' results."""
