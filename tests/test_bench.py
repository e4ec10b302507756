"""The benchmark runs end to end on a tiny corpus and prints its figures (no timing assertions)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.run import main  # noqa: E402


def test_corpus_is_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    small = corpus.write_corpus(tmp_path / "a", 12, realworld_every=0)
    corpus.write_corpus(tmp_path / "b", 25, realworld_every=0)
    assert small == {"pages": 12, "generated": 12, "realworld": 0, "bytes": small["bytes"]}
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.html"))
    assert len(files_a) == 12
    for rel in files_a:  # the 12-page corpus is the start of the 25-page one, byte for byte
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    pages = [corpus.generate_page(i) for i in range(60)]
    assert {name.rsplit("_", 1)[1] for name, _, _ in pages} == {"nl.html", "fr.html", "en.html"}
    assert any("_partnership_" in name for name, _, _ in pages)
    html = pages[0][2].decode()
    assert "<nav" in html and "<footer" in html and "cookie" in html


def test_benchmark_prints_its_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    every = "5" if corpus.realworld_pages() else "0"
    code = main(
        [
            "--pages",
            "10",
            "--workers",
            "1,2",
            "--rss-pages",
            "5,10",
            "--no-dask",
            "--realworld-every",
            every,
            "--work-dir",
            str(tmp_path),
            "--progress",
            "0",
            "--json",
            str(tmp_path / "bench.json"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for expected in (
        "pages/s",
        "MB/s",
        "reference: trafilatura.extract",
        "pipeline, 1 worker",
        "pipeline, 2 workers",
        "ratio pipeline (1 worker) / reference:",
        "speedup 2 workers / 1 worker:",
        "per-stage time",
        "  text (decode, pre-filter, blocks) ",
        "  language ",
        "  commune ",
        "  extract (spaCy included) ",
        "  normalise ",
        "  merge ",
        "peak RSS by corpus size",
        "growth 5 -> 10 pages",
    ):
        assert expected in out, expected
    assert re.search(r"partnerships\.csv identical across .*: yes", out)
    assert re.search(r"ratio pipeline \(1 worker\) / reference: \d+\.\d\d", out)
    assert (tmp_path / "bench.json").is_file()


def test_real_pages_corpus_and_report(tmp_path: Path) -> None:
    from bench.real import Run, build_real_corpus, report

    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.html").write_text("<p>x</p>")
    (src / "sub" / "b.txt").write_text("y")
    (src / "SOURCE.md").write_text("notes")
    (src / "MANIFEST.tsv").write_text("a\tb")
    corpus, pages, size = build_real_corpus(tmp_path / "work", [src], copies=3)
    assert pages == 6 and size == 3 * (len("<p>x</p>") + 1)
    assert sorted(p.name for p in corpus.rglob("*") if p.is_file()) == ["a.html"] * 3 + ["b.txt"] * 3

    def run(wall: float, workers: int) -> Run:
        processes = {"first_page_at": 101.5, "main": {"cpu_s": wall / 4}, "workers": [{"cpu_s": wall * 0.9}] * workers}
        return Run(wall, wall, 500.0, 0, {"run": {"processes": processes}}, "abc", started_at=100.0)

    lines = "\n".join(report(6, size, [run(10.0, 0)], {1: [run(5.0, 1)], 2: [run(2.5, 2)]}))
    assert "reference pages/s: 2.00" in lines and "speedup 2 workers / 1 worker: 2.00" in lines
    assert "main 25% w1 90% w2 90%" in lines and "median 1.50 s" in lines
    assert "(start-up left out): 3.50" in lines  # (5.0 - 1.5) / (2.5 - 1.5)
    assert "identical across every pipeline run: yes" in lines
