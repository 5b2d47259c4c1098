"""The bulk path (tthc_kg/bulk.py) and the scale corpus generator (bench/gen_corpus.py).

Bulk and incremental ingest must give the same graph (compared as sets of N-Quads lines); a rerun skips
unchanged documents and replaces changed ones; a chunk cut off by a crash is recovered by rerunning; generated
plans parse with the citations and tasks the generator put in them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from paths import FIXTURES, ROOT, SEEDS
from tthc_kg import iri
from tthc_kg.analyze import analyze_text
from tthc_kg.bulk import bulk_ingest, checkpoint_path, extract_one, read_checkpoint, use_bulk
from tthc_kg.ingest import ingest_files
from tthc_kg.read import read_text
from tthc_kg.registry import Registry
from tthc_kg.resolve import Resolver
from tthc_kg.store import Store


def nquads(store: Store) -> set[bytes]:
    return set(store.dump(ox.RdfFormat.N_QUADS).splitlines())


def plans(tmp_path: Path) -> list[str]:
    """The seeds and the outdated-at-issue plan, copied to a scratch folder (so a test may change one)."""
    out = tmp_path / "plans"
    out.mkdir()
    for p in [*SEEDS, FIXTURES / "ke-hoach-outdated-2025.txt"]:
        shutil.copy(p, out / p.name)
    return sorted(str(p) for p in out.iterdir())


def test_bulk_gives_the_same_graph_as_incremental(tmp_path: Path, registry: Registry) -> None:
    paths = plans(tmp_path)
    incremental = Store(tmp_path / "incremental")
    ok, errors, totals = ingest_files(incremental, registry, paths, progress=False)
    assert errors == [] and ok == len(paths)

    bulk = Store(tmp_path / "bulk")
    result = bulk_ingest(bulk, registry, paths, progress=False, workers=2, chunk_quads=1000)  # several chunks
    assert result.errors == [] and result.ok == len(paths) and result.skipped == 0
    assert result.totals == totals
    assert nquads(bulk) == nquads(incremental)
    assert len(nquads(bulk)) > 3000
    # the checkpoint names every document with the content hash the store holds
    done = read_checkpoint(checkpoint_path(bulk))
    assert {k: bulk.graph_content_hash(k) for k in done} == done
    assert set(done) == {iri.source_key(p) for p in paths}


def test_rerun_skips_unchanged_and_replaces_changed(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = plans(tmp_path)
    store = Store(tmp_path / "store")
    merged: list[int] = []  # the store's files are merged once after a load that wrote something
    monkeypatch.setattr(store, "optimize", lambda: merged.append(store.triple_count()))
    bulk_ingest(store, registry, paths, progress=False, workers=1)
    assert merged == [store.triple_count()]
    again = bulk_ingest(store, registry, paths, progress=False, workers=1)
    assert (again.ok, again.skipped, again.errors) == (0, len(paths), [])
    assert len(merged) == 1  # nothing loaded: nothing to merge

    # one plan changes: a new basis replaces its old text; only that one is loaded again, whole and alone
    changed = next(p for p in paths if Path(p).name.startswith("001_"))
    text = read_text(changed)
    assert "92/2017/NĐ-CP" not in text
    Path(changed).write_text(
        text.replace(
            "Thực hiện Kế hoạch",
            "Căn cứ Nghị định số 92/2017/NĐ-CP ngày 07/8/2017 của Chính phủ;\n\nThực hiện Kế hoạch",
            1,
        ),
        encoding="utf-8",
    )
    third = bulk_ingest(store, registry, paths, progress=False, workers=1)
    assert (third.ok, third.skipped) == (1, len(paths) - 1)

    reference = Store(tmp_path / "reference")
    ingest_files(reference, registry, paths, progress=False)
    assert nquads(store) == nquads(reference)  # no triple of the old version of the changed plan is left


def test_a_chunk_cut_off_by_a_crash_is_recovered_by_rerunning(tmp_path: Path, registry: Registry) -> None:
    """The bulk loader is not transactional: half a document's quads may be in the store with no checkpoint
    line. A rerun must not trust the store's content hash alone: it reloads that document whole."""
    paths = plans(tmp_path)
    store = Store(tmp_path / "store")
    from tthc_kg.bulk import _init_worker

    _init_worker(None)
    victim = paths[2]
    _path, key, digest, data, *_ = extract_one((victim, None))
    assert data is not None
    lines = data.splitlines(keepends=True)
    hash_line = [line for line in lines if b"contentHash" in line]
    store.bulk_load_nquads(b"".join(hash_line + lines[: len(lines) // 3]))  # the crash: a third, with the hash
    assert store.graph_content_hash(key) == digest
    assert read_checkpoint(checkpoint_path(store)) == {}

    result = bulk_ingest(store, registry, paths, progress=False, workers=1)
    assert result.ok == len(paths) and result.skipped == 0
    reference = Store(tmp_path / "reference")
    ingest_files(reference, registry, paths, progress=False)
    assert nquads(store) == nquads(reference)


def test_nquads_writes_each_line_as_rdflib_does(tmp_path: Path, registry: Registry) -> None:
    """bulk.nquads writes IRIs itself (for speed): every line must be rdflib's N-Triples row (_nt_row) plus the
    graph name — on the seeds' graphs and on terms that need escaping — and an IRI rdflib refuses still fails."""
    from rdflib import XSD, BNode, Graph, Literal, URIRef
    from rdflib.plugins.serializers.nt import _nt_row

    from tthc_kg.bulk import nquads
    from tthc_kg.graph import build_graph

    resolver = Resolver(registry)
    s, p = URIRef("https://example.org/s"), URIRef("https://example.org/p")
    odd = [
        (s, p, Literal('a "quoted"\\ back\nslash\r\tline', lang="vi")),
        (s, p, Literal("2024-02-30x", datatype=XSD.date)),
        (s, p, Literal(True)),
        (s, p, Literal(12)),
        (s, p, URIRef("https://example.org/ă%20đ#x")),
        # nquads writes each distinct node once: a blank node and an IRI of the same text are two nodes
        (BNode("n1"), p, URIRef("n1")),
        (URIRef("n1"), p, BNode("n1")),
    ]
    triples = [t for path in plans(tmp_path) for t in build_graph(analyze_text(path, read_text(path), resolver))]
    triples += odd
    g = "https://example.org/graph"
    assert nquads(triples, g).decode("utf-8").splitlines(keepends=True) == [
        _nt_row(t)[:-3] + f" <{g}> .\n" for t in triples
    ]
    assert len(triples) > 2500
    bad = (s, p, URIRef("https://example.org/a b"))
    with pytest.raises(Exception, match="does not look like a valid URI"):
        Graph().add(bad).serialize(format="nt")
    with pytest.raises(Exception, match="does not look like a valid URI"):
        nquads([bad], g)


def test_the_last_chunks_are_smaller(tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once less than a chunk is still to come, chunks of a quarter of one are loaded (bulk.TAIL_SPLIT), so that
    the last load, which nothing runs beside, is short; the store is the same."""
    from tthc_kg import bulk as bulk_mod

    paths = plans(tmp_path)
    sizes: list[int] = []
    load = Store.bulk_load_nquads

    def counting(self: Store, source: bytes) -> None:
        sizes.append(source.count(b"\n"))
        load(self, source)

    monkeypatch.setattr(Store, "bulk_load_nquads", counting)
    whole = Store(tmp_path / "whole")
    total = bulk_ingest(whole, registry, paths, progress=False, workers=1, chunk_quads=10**9).totals["triples"]
    assert sizes == [total]  # not a quarter of a chunk in all: one load at the end
    sizes.clear()
    tapered = Store(tmp_path / "tapered")
    bulk_ingest(tapered, registry, paths, progress=False, workers=1, chunk_quads=total)  # all of it "the end"
    quarter = total // bulk_mod.TAIL_SPLIT
    assert len(sizes) >= 2 and sum(sizes) == total
    assert all(n >= quarter for n in sizes[:-1]) and sizes[-1] <= total - quarter
    assert nquads(tapered) == nquads(whole)


def test_a_bad_file_is_an_error_line_and_the_others_load(tmp_path: Path, registry: Registry) -> None:
    paths = plans(tmp_path)
    missing = str(tmp_path / "plans" / "gone.txt")
    store = Store(tmp_path / "store")
    result = bulk_ingest(store, registry, [*paths, missing], progress=False, workers=1)
    assert result.ok == len(paths)
    assert len(result.errors) == 1 and result.errors[0].startswith(f"{missing}: ")
    assert iri.source_key(missing) not in read_checkpoint(checkpoint_path(store))


def test_when_ingest_takes_the_bulk_path(tmp_path: Path, registry: Registry) -> None:
    store = Store(tmp_path / "store")
    many = [f"/nowhere/{i}.txt" for i in range(250)]
    assert use_bulk(store, many, forced=False)  # an empty store and many files
    assert not use_bulk(store, many[:10], forced=False)  # a few files: per-document transactions
    assert use_bulk(store, many[:10], forced=True)
    ingest_files(store, registry, [str(SEEDS[0])], progress=False)
    assert not use_bulk(store, many, forced=False)  # a store in use: per-document transactions


def cli(*args: str, store: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TTHC_KG_STORE=str(store))
    return subprocess.run([sys.executable, "-m", "tthc_kg.cli", *args], capture_output=True, cwd=ROOT, env=env)


def test_cli_ingest_bulk(tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = cli("ingest", "--bulk", "--workers", "2", "--quiet", "--no-index", "data/plans", store=store)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "bulk load: 5 loaded, 0 unchanged and skipped" in proc.stderr.decode()
    assert proc.stdout.decode().startswith("ingested 5 of 5 files")
    again = cli("ingest", "--bulk", "--quiet", "--no-index", "data/plans", store=store)
    assert "bulk load: 0 loaded, 5 unchanged and skipped" in again.stderr.decode()

    bad = cli("ingest", "--bulk", "--workers", "0", "data/plans", store=tmp_path / "other")
    assert bad.returncode == 2
    assert bad.stderr.decode().strip().splitlines() == ["tthc-kg: error: --workers must be at least 1"]
    assert not (tmp_path / "other").exists()


# --- bench/gen_corpus.py ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gen_corpus():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "bench" / "gen_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_generated_plans_parse_with_their_citations_and_tasks(
    tmp_path: Path, registry: Registry, gen_corpus: object
) -> None:
    manifest = gen_corpus.generate(24, tmp_path / "a", seed=7, progress=False)  # type: ignore[attr-defined]
    assert len(manifest) == 24
    resolver = Resolver(registry)
    superseded = {str(e.affected) for e in registry.events if e.kind in ("replacement", "repeal", "expiry")}
    cited_superseded = 0
    provinces = set()
    for m in manifest:
        path = tmp_path / "a" / m["file"]
        a = analyze_text(str(path), read_text(path), resolver)
        found = {(str(r.symbol), r.role, r.task) for r in a.citations if r.in_registry and r.symbol is not None}
        for symbol in m["preamble"]:  # every added "Căn cứ …" line is found and resolved in the registry
            assert any(s == symbol for s, _role, _task in found), (m["file"], symbol)
        numbers = {t.number for t in a.tasks}
        for t in m["tasks"]:  # every added task row is a task, with its "Căn cứ thực hiện" as its own basis
            assert t["number"] in numbers, (m["file"], t["number"])
            for symbol in t["basis"]:
                assert (symbol, "task_basis", t["number"]) in found, (m["file"], t["number"], symbol)
        cited_superseded += sum(s in superseded for s in m["preamble"])
        provinces.add(m["province"])
    assert cited_superseded > 0  # the registry's superseded documents are cited
    assert len(provinces) > 10

    # deterministic by seed: the same files, byte for byte; another seed, other plans
    gen_corpus.generate(24, tmp_path / "b", seed=7, progress=False)  # type: ignore[attr-defined]
    for m in manifest:
        assert (tmp_path / "a" / m["file"]).read_bytes() == (tmp_path / "b" / m["file"]).read_bytes()
    other = gen_corpus.generate(24, tmp_path / "c", seed=8, progress=False)  # type: ignore[attr-defined]
    assert [m["date"] for m in other] != [m["date"] for m in manifest]
    lines = (tmp_path / "a" / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == manifest


def test_gen_corpus_refuses_to_write_into_the_repository(gen_corpus: object) -> None:
    assert gen_corpus.main(["3", str(ROOT / "bench" / "out")]) == 2  # type: ignore[attr-defined]
    assert not (ROOT / "bench" / "out").exists()
