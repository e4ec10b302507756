"""Stage 8, export: the dataset's rows in, the published files (CSV, Parquet, SQLite, XLSX,
data package, report) out, as bytes."""
