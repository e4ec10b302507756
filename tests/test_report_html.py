"""report.html opens offline in a real headless Chromium with its map, timeline and evidence view."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from pipeline.models import PageResult
from pipeline.stages.s7_merge import merge
from pipeline.stages.s8_export.publish import REPORT, Dataset, Page, dataset_files

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def chromium() -> str:
    """The browser; in CI (CI=true) its absence fails the test instead of skipping it."""
    if CHROMIUM is None:
        message = "chromium not installed: run scripts/install-system-deps.sh (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def report(
    processed: dict[str, dict[str, PageResult]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Dataset]:
    pages = list(processed["raw"].values())
    rows = merge(c for p in pages for c in p.candidates)
    texts = {p.source_url: Page(p.source_url, p.language, p.commune_nis, p.main_text) for p in pages if p.candidates}
    data = Dataset(rows, texts, "2026-01-15")
    path = tmp_path_factory.mktemp("report") / REPORT
    path.write_bytes(dataset_files(data)[REPORT])
    return path, data


def dump_dom(browser: str, url: str, profile: Path) -> str:
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_report_needs_nothing_from_the_network(report: tuple[Path, Dataset]) -> None:
    html = report[0].read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html


def test_report_renders_map_timeline_and_evidence_in_chromium(report: tuple[Path, Dataset], tmp_path: Path) -> None:
    browser = chromium()
    path, data = report
    spans = data.spans()
    row = next(r for r in data.rows if r.partner == "Irpin")
    start, end = next((s[2], s[3]) for s in spans if s[0] == row.partnership_id)
    page_text = next(data.pages[s[1]].text for s in spans if s[0] == row.partnership_id)
    dom = dump_dom(browser, f"{path.as_uri()}#{row.partnership_id}", tmp_path / "profile")
    assert '<svg id="world-map"' in dom and dom.count('class="land') > 100
    assert (
        len(re.findall(r'<circle class="pt"', dom)) == sum(1 for r in data.rows if r.partner_latitude is not None) > 5
    )
    assert '<svg id="timeline-chart"' in dom and 'data-protocol="friendship"' in dom
    evidence = re.search(r'<div id="evidence-text">(.*?)</div>', dom, re.DOTALL)
    assert evidence is not None
    marks = [unescape(m) for m in re.findall(r'<mark class="evidence">(.*?)</mark>', evidence.group(1), re.DOTALL)]
    assert page_text[start:end] in marks and "Irpin" in page_text[start:end]
    assert unescape(re.sub(r"<[^>]+>", "", evidence.group(1))) == page_text  # the whole page, marked
    assert f'id="row-{row.partnership_id}" data-id="{row.partnership_id}" class="sel"' in dom
