#!/usr/bin/env python3
"""Entry point: `python run_pipeline.py --help`."""

from pipeline.cli import entry

if __name__ == "__main__":
    entry()
