"""pipeline.batch.executor: any number of workers, and Dask, give the same bytes as one worker;
results come back in input order; the input is read lazily (bounded window); a page that
kills its worker is isolated."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.batch import executor as parallel
from pipeline.batch.executor import add_execution_arguments, map_pages
from pipeline.batch.options import options_from_args
from pipeline.batch.runner import MIN_PAGES_PER_WORKER, effective_workers, process_document
from pipeline.knowledge import nlp
from pipeline.models import Document, PageResult
from pipeline.stages.s1_ingest.files import iter_documents
from pipeline.stages.s7_merge import merge
from pipeline.stages.s8_export.publish import Dataset, write_dataset
from pipeline.stages.s8_export.tables import PARTNERSHIPS_CSV

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"


# Module-level, so that worker processes can unpickle them.
def fake_process(doc: Document) -> PageResult:
    if doc.content == b"crash":
        os._exit(3)  # what a segfault or the OOM killer looks like to the pool
    return PageResult(doc.source_id, doc.source_url, language=doc.content.decode()[:2])


def fake_docs(n: int, crash_at: int | None = None) -> list[Document | PageResult]:
    items: list[Document | PageResult] = []
    for i in range(n):
        if i % 7 == 3:
            items.append(PageResult(f"p{i}", f"u{i}", error_stage="ingest", error_type="OSError"))
        else:
            content = b"crash" if i == crash_at else f"{i:02d}".encode()
            items.append(Document(f"p{i}", f"u{i}", content, "html"))
    return items


def dataset(tmp_path: Path, name: str, **kwargs: object) -> tuple[bytes, list[PageResult]]:
    """partnerships.csv bytes and the page results of raw/ with map_pages(**kwargs)."""
    results = list(map_pages(iter_documents(tmp_path / "raw"), process_document, **kwargs))
    out = tmp_path / name
    write_dataset(Dataset(merge(c for r in results for c in r.candidates), today="2026-01-31"), out)
    return (out / PARTNERSHIPS_CSV).read_bytes(), results


@pytest.fixture(scope="module")
def raw_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("parallel")
    shutil.copytree(RAW, base / "raw")
    return base


@pytest.fixture(scope="module")
def one_worker(raw_copy: Path) -> tuple[bytes, list[PageResult]]:
    return dataset(raw_copy, "w1", workers=1)


def test_two_workers_give_the_same_bytes_as_one(raw_copy: Path, one_worker: tuple[bytes, list[PageResult]]) -> None:
    csv1, results1 = one_worker
    csv2, results2 = dataset(raw_copy, "w2", workers=2, chunk_pages=2)
    assert csv1.count(b"\n") > 10, "raw/ should yield partnerships"
    assert csv2 == csv1
    assert results2 == results1  # every PageResult, in input order


def test_dask_local_cluster_gives_the_same_bytes(raw_copy: Path, one_worker: tuple[bytes, list[PageResult]]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        csv_dask, results = dataset(raw_copy, "dask", engine="dask", scheduler=cluster.scheduler_address, chunk_pages=3)
    assert csv_dask == one_worker[0]
    assert results == one_worker[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_order_and_pass_through(workers: int) -> None:
    items = fake_docs(60)
    results = list(map_pages(items, fake_process, workers=workers, chunk_pages=4, warm=False))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(60)]
    assert results[3] is items[3] or results[3] == items[3]  # PageResults pass through unchanged
    assert [r.language for r in results if not r.failed] == [f"{i:02d}" for i in range(60) if i % 7 != 3]


def test_reads_the_input_lazily_with_a_bounded_window() -> None:
    consumed = 0

    def source() -> Iterator[Document | PageResult]:
        nonlocal consumed
        for item in fake_docs(400):
            consumed += 1
            yield item

    window, chunk = 3, 5
    done = 0
    for _ in map_pages(source(), fake_process, workers=2, chunk_pages=chunk, window=window, warm=False):
        done += 1
        # at most `window` chunks in flight, plus the one being built
        assert consumed - done <= (window + 1) * chunk
    assert done == consumed == 400


def test_a_page_that_kills_its_worker_fails_alone() -> None:
    results = list(map_pages(fake_docs(40, crash_at=18), fake_process, workers=2, chunk_pages=4, warm=False))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(40)]
    crashed = [r for r in results if r.error_type == "WorkerCrash"]
    assert [r.source_id for r in crashed] == ["p18"]
    assert crashed[0].error_stage == "worker"
    assert all(r.language == f"{i:02d}" for i, r in enumerate(results) if i != 18 and i % 7 != 3)


def test_execution_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_execution_arguments(parser)
    args = parser.parse_args([])
    assert (args.workers, args.engine, args.scheduler) == (None, "local", None)  # None: as many as worth it
    options = options_from_args(
        argparse.Namespace(**vars(args), full=False, cache_dir=None, time_limit=0, progress=None)
    )
    assert (options.workers, options.auto_workers) == (parallel.default_workers(), True)
    args = parser.parse_args(["--workers", "3", "--engine", "dask", "--scheduler", "tcp://h:8786"])
    assert (args.workers, args.engine, args.scheduler) == (3, "dask", "tcp://h:8786")
    with pytest.raises(SystemExit):
        parser.parse_args(["--workers", "0"])
    with pytest.raises(ValueError, match="spark"):
        list(map_pages([], fake_process, engine="spark"))


def test_no_pool_when_there_is_nothing_to_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for PageResults only")

    monkeypatch.setattr(parallel, "_LocalPool", no_pool)
    failed = [PageResult(f"p{i}", f"u{i}", error_stage="ingest", error_type="OSError") for i in range(5)]
    assert list(map_pages(failed, fake_process, workers=2)) == failed
    assert list(map_pages([], fake_process, workers=2)) == []


def test_dask_without_scheduler_starts_a_local_cluster() -> None:
    pytest.importorskip("distributed")
    items = fake_docs(30)
    results = list(map_pages(items, fake_process, workers=2, engine="dask", chunk_pages=4))
    assert results == list(map_pages(items, fake_process, workers=1))


def stuck_process(doc: Document) -> PageResult:
    """A page stuck where no signal reaches it (like a long call into C code)."""
    if doc.content == b"stuck":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})
        time.sleep(600)
    return fake_process(doc)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_over_the_time_limit_gets_its_worker_killed(workers: int) -> None:
    items = fake_docs(20)
    items[9] = Document("p9", "u9", b"stuck", "html")
    results = list(map_pages(items, stuck_process, workers=workers, chunk_pages=4, warm=False, time_limit=1.0))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(20)]
    timed_out = [r for r in results if r.failed and r.error_type != "OSError"]
    assert [(r.source_id, r.error_type, r.error_stage) for r in timed_out] == [("p9", "PageTimeout", "timeout")]
    assert "1 s per-page time limit" in timed_out[0].error_message
    assert all(r.language == f"{i:02d}" for i, r in enumerate(results) if i != 9 and i % 7 != 3)


def test_a_page_that_raises_in_a_worker_fails_alone() -> None:
    items: list[Document | PageResult] = [
        Document("a", "a", b"01", "html"),
        Document("b", "b", b"\xff", "html"),
        Document("c", "c", b"02", "html"),
    ]
    results = list(map_pages(items, fake_process, workers=1, warm=False, time_limit=5.0))
    assert [(r.source_id, r.error_type) for r in results] == [("a", ""), ("b", "UnicodeDecodeError"), ("c", "")]


def test_few_pages_get_fewer_workers_unless_asked() -> None:
    assert effective_workers(2, 10) == 1
    assert effective_workers(2, MIN_PAGES_PER_WORKER + 1) == 2
    assert effective_workers(8, 3 * MIN_PAGES_PER_WORKER) == 3
    assert effective_workers(2, 10, engine="dask") == 2


def test_workers_report_their_usage() -> None:
    usage: list[parallel.Usage] = []
    docs = [Document(f"p{i}.html", "", b"<p>x</p>", "html") for i in range(4)]
    out = list(map_pages(docs, fake_process, workers=2, time_limit=30, usage=usage))
    assert [r.source_id for r in out] == [d.source_id for d in docs]
    assert len(usage) == 2 and all(u.cpu_s >= 0 and u.peak_rss_mb > 0 and u.wall_s > 0 for u in usage)


class StubPipeline:
    """Stands for a loaded spaCy pipeline (no spaCy in these tests): it finds no entities."""

    def pipe(self, texts: list[str], batch_size: int = 64) -> list[SimpleNamespace]:
        return [SimpleNamespace(ents=[]) for _ in texts]


def stub_load(lang: str, gaz: object) -> StubPipeline:
    return StubPipeline()


def ner_process(doc: Document) -> PageResult:
    """A page whose text starts with "fr" needs the French pipeline; the result says which
    process ran the page and which pipelines it held."""
    if doc.content.startswith(b"fr"):
        nlp.entities(["une phrase"], "fr", None)  # type: ignore[arg-type]
        time.sleep(0.05)  # pages that need a pipeline take time: a backlog can build up
    return PageResult(doc.source_id, doc.source_url, commune=str(os.getpid()), language=",".join(nlp.held_models()))


@pytest.fixture
def stub_spacy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers inherit the stub, and no pipeline held by this test process."""
    monkeypatch.setattr(nlp, "_load", stub_load)
    monkeypatch.setattr(nlp, "_held", set())
    nlp.load.cache_clear()


def ner_docs(french: set[int], n: int = 40) -> list[Document | PageResult]:
    return [Document(f"p{i}", f"u{i}", b"fr" if i in french else b"nl", "html") for i in range(n)]


@pytest.mark.usefixtures("stub_spacy")
def test_one_worker_loads_the_pipeline_and_takes_the_pages_that_need_it() -> None:
    french = {5, 13, 21, 30}  # in the chunks of both workers
    results = list(map_pages(ner_docs(french), ner_process, workers=2, chunk_pages=4, warm=False))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(40)]
    holders = {r.commune for r in results if "fr" in r.language}
    ran_french = {r.commune for i, r in enumerate(results) if i in french}
    assert len(holders) == 1 and ran_french == holders  # one process loaded it, and ran every French page
    assert len({r.commune for r in results}) == 2  # both workers worked


@pytest.mark.usefixtures("stub_spacy")
def test_the_other_workers_load_their_own_when_too_many_pages_wait() -> None:
    french = set(range(0, 80, 2))
    results = list(map_pages(ner_docs(french, 80), ner_process, workers=2, chunk_pages=4, warm=False))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(80)]
    assert len({r.commune for i, r in enumerate(results) if i in french}) == 2


@pytest.mark.usefixtures("stub_spacy")
def test_a_lone_worker_never_passes_pages_on() -> None:
    results = list(map_pages(ner_docs({1, 2, 3}), ner_process, workers=1, warm=False, time_limit=30))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(40)]
    assert all(r.language == "fr" for r in results[1:])


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_started_without_fork_give_the_same_results(method: str) -> None:
    items = fake_docs(12)
    results = list(map_pages(items, fake_process, workers=2, chunk_pages=4, warm=False, start_method=method))
    assert results == list(map_pages(items, fake_process, workers=1))


def ner_crash_process(doc: Document) -> PageResult:
    """`ner_process`, but the page "frcrash" kills the process that runs it through."""
    if doc.content == b"frcrash":
        nlp.entities(["une phrase"], "fr", None)  # type: ignore[arg-type]
        os._exit(3)
    return ner_process(doc)


@pytest.mark.usefixtures("stub_spacy")
def test_a_page_passed_on_that_kills_its_worker_fails_alone() -> None:
    items = ner_docs({2, 9}, 24)
    items[13] = Document("p13", "u13", b"frcrash", "html")  # in the second worker's first chunk
    results = list(map_pages(items, ner_crash_process, workers=2, chunk_pages=4, warm=False))
    assert [r.source_id for r in results] == [f"p{i}" for i in range(24)]
    assert [(r.source_id, r.error_type) for r in results if r.failed] == [("p13", "WorkerCrash")]
