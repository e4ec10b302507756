"""Stage 0, crawl: a polite focused crawler from the crawl registry (`communes.csv`) to WARC snapshots."""
