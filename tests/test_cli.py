"""The command line: help on every subcommand, and evaluate's quality gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPORA

from pipeline import __version__, cli
from pipeline.batch import runner
from pipeline.batch.options import BatchOptions
from pipeline.batch.version import pipeline_version
from pipeline.cli import EX_USAGE, build_parser, main


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = list(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {"run", "evaluate"} <= set(commands)
    for command in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_evaluate_prints_scores_and_gates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    directory, gold = CORPORA["pages"]
    report = tmp_path / "scores.json"
    code = main(
        [
            "evaluate",
            "--gold",
            str(gold),
            "--input",
            str(directory),
            "--verbose",
            "--json",
            str(report),
            "--min-f1",
            "0.9",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "precision=" in out and "country_code accuracy=" in out and "domains precision=" in out
    assert '"f1"' in report.read_text()
    assert main(["evaluate", "--gold", str(gold), "--input", str(directory), "--min-f1", "1.01"]) == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--bogus"],
        ["run", "--workers", "0"],
        ["evaluate"],
        ["evaluate", "--gold"],
        ["crawl", "--delay", "x"],
        ["nosuchcommand"],
    ],
)
def test_usage_errors_exit_64(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == EX_USAGE == 64
    assert "usage:" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert __version__ in out and f"pipeline version {pipeline_version()}" in out


def test_global_options_after_the_subcommand(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(cli, "_setup_logging", lambda level, json_lines=False: seen.append((level, json_lines)))
    monkeypatch.setattr(cli, "cmd_run", lambda args: 0)
    parser = build_parser()
    args = parser.parse_args(["run", "--log-json", "--log-level", "DEBUG"])
    assert (args.log_level, args.log_json) == ("DEBUG", True)
    args = parser.parse_args(["--log-json", "run"])
    assert (args.log_level, args.log_json) == ("INFO", True)
    assert main(["run", "--log-json", "--input", "raw"]) == 0
    assert seen[-1] == ("INFO", True)


def test_progress_bar_gets_the_page_total_and_models_load_with_a_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    totals: list[int | None] = []
    real = runner.progress_bar

    def spy(enabled: bool | None = None, desc: str = "pages", total: int | None = None):  # type: ignore[no-untyped-def]
        totals.append(total)
        return real(False, desc, total)

    monkeypatch.setattr(runner, "progress_bar", spy)
    caplog.set_level("INFO")
    directory, _ = CORPORA["raw"]
    code = runner.run(directory, tmp_path / "out", BatchOptions(progress=True, workers=1))
    assert code in (0, 1)
    pages = sum(1 for p in directory.rglob("*") if p.suffix in (".html", ".htm", ".txt", ".md"))
    assert totals == [pages]
    assert any("loading the gazetteers" in r.getMessage() for r in caplog.records)


def test_evaluate_refuses_a_gold_file_it_cannot_score(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    directory, gold = CORPORA["pages"]
    assert main(["evaluate", "--gold", str(tmp_path / "missing.jsonl"), "--input", str(directory)]) == EX_USAGE
    assert "missing.jsonl" in capsys.readouterr().err
    raw_dir, _ = CORPORA["raw"]
    assert main(["evaluate", "--gold", str(gold), "--input", str(raw_dir)]) == 2  # other pages' gold
    assert "gold documents are not in the input" in capsys.readouterr().err


def test_explain_shows_candidates_and_rows(capsys: pytest.CaptureFixture[str]) -> None:
    directory, _ = CORPORA["raw"]
    assert main(["explain", str(directory / "ath_jumelages_fr.html"), "--no-nlp"]) == 0
    out = capsys.readouterr().out
    assert "authority: Ath 51004" in out and "candidates" in out and "PARTNER" in out
    assert "rows (" in out and "evidence:" in out
    assert main(["explain", str(directory / "no-such-page.html")]) == EX_USAGE
