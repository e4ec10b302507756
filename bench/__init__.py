"""Benchmark of the pipeline: `python -m bench --help` or `python run_pipeline.py bench --help`.

- `bench.corpus`: a deterministic generator of realistic commune pages (menus, footers,
  news, services, and partnership sections in nl/fr/en), mixed with the saved real-world
  pages of `../shared/realworld-html/` when present, written to a directory;
- `bench.measure`: one measurement (pipeline or trafilatura reference) run in its own
  process, printing a JSON line with pages/s, MB/s, per-stage times and peak RSS;
- `bench.run`: the benchmark itself, which builds the corpora, runs each measurement in a
  fresh subprocess and prints the report.
"""
