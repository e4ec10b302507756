"""The nightly batch job around the stages: the runner, its options and exit codes, the
executor (worker processes, Dask), the per-page time limit, the page cache, the atomic
store, the lock, the run's reports, changes and history."""
