"""The nightly batch job around the stages: the runner, its options and exit codes, the executor (worker processes, Dask), the page cache, the atomic store, the lock, reports, changes and history."""
