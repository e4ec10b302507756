"""The command line: help on every subcommand, and evaluate's quality gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPORA

from pipeline.cli import build_parser, main


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = [a for a in parser._subparsers._group_actions[0].choices]  # type: ignore[union-attr]
    assert {"run", "evaluate"} <= set(commands)
    for command in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_evaluate_prints_scores_and_gates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    directory, gold = CORPORA["pages"]
    report = tmp_path / "scores.json"
    code = main(["evaluate", "--gold", str(gold), "--input", str(directory), "--verbose", "--json", str(report),
                 "--min-f1", "0.9"])
    out = capsys.readouterr().out
    assert code == 0
    assert "precision=" in out and "country_code accuracy=" in out and "domains precision=" in out
    assert '"f1"' in report.read_text()
    assert main(["evaluate", "--gold", str(gold), "--input", str(directory), "--min-f1", "1.01"]) == 3
