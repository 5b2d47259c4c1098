"""Upgrades and operations (issue 7, part 7): versions recorded per named graph, ``tthc-kg doctor``,
``tthc-kg ingest --stale``, and backup/restore by ``tthc-kg export --format nquads`` / ``tthc-kg import``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, Graph, URIRef

from paths import FIXTURES, ROOT, SEEDS
from tthc_kg import queries
from tthc_kg.analyze import EXTRACTOR_VERSION
from tthc_kg.cli import main
from tthc_kg.graph import ONTOLOGY_VERSION
from tthc_kg.store import Store

TTHC = "https://w3id.org/tthc-kg/ontology#"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # what came before (fixtures) is not this command's output
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def doctor(capsys: pytest.CaptureFixture[str], store: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, "doctor", "--store", str(store), "--format", "json", *extra)
    return code, json.loads(out), err


def dump(store: Path) -> list[str]:
    db = ox.Store.read_only(str(store))
    return sorted(db.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


@pytest.fixture
def two_plans(tmp_path: Path) -> tuple[Path, list[Path]]:
    """Two seeds copied to a folder of their own (so they can be changed or removed) and ingested."""
    folder = tmp_path / "plans"
    folder.mkdir()
    files = [folder / SEEDS[1].name, folder / SEEDS[4].name]
    for src, dst in zip([SEEDS[1], SEEDS[4]], files, strict=True):
        shutil.copy(src, dst)
    store = tmp_path / "store"
    assert main(["ingest", *map(str, files), "--store", str(store), "--no-index", "--quiet"]) == 0
    return store, files


def _age(store: Path, path: Path, extractor: str | None, ontology: str | None) -> None:
    """Make the graph of ``path`` look as an older tthc-kg built it (older versions, or none recorded)."""
    db = ox.Store(str(store))
    graphs = [
        q.graph_name for q in db.quads_for_pattern(None, ox.NamedNode(TTHC + "path"), ox.Literal(str(path)), None)
    ]
    assert len(graphs) == 1
    g = graphs[0]
    for prop, value in ((TTHC + "extractorVersion", extractor), (TTHC + "ontologyVersion", ontology)):
        for q in list(db.quads_for_pattern(None, ox.NamedNode(prop), None, g)):
            db.remove(q)
            if value is not None:
                db.add(ox.Quad(q.subject, q.predicate, ox.Literal(value), g))
    db.flush()
    del db


# --- versions ----------------------------------------------------------------------------------------------------


def test_ontology_version_is_the_ontology_files() -> None:
    g = Graph().parse(ROOT / "ontology" / "tthc.ttl", format="turtle")
    info = {str(v) for v in g.objects(URIRef("https://w3id.org/tthc-kg/ontology"), OWL.versionInfo)}
    assert info == {ONTOLOGY_VERSION}


def test_every_source_graph_records_its_source_and_versions(seed_store: Store) -> None:
    q = queries.load("source-graphs")
    rows = list(seed_store.select(q.text, q.bind({})))
    assert sorted(Path(r["path"]).name for r in rows) == sorted(
        [p.name for p in SEEDS] + ["ke-hoach-outdated-2025.txt"]
    )
    for r in rows:
        assert r["graph"].startswith("https://w3id.org/tthc-kg/graph/source/")
        assert r["source"] == r["graph"].replace("/graph/source/", "/id/source/")
        assert r["plan"] == r["graph"].replace("/graph/source/", "/id/plan/")
        assert len(r["hash"]) == 64
        assert (r["extractor"], r["ontology"]) == (EXTRACTOR_VERSION, ONTOLOGY_VERSION)
    fixture = next(r for r in rows if r["path"].endswith("ke-hoach-outdated-2025.txt"))
    assert fixture["path"] == str(FIXTURES / "ke-hoach-outdated-2025.txt")


# --- doctor ------------------------------------------------------------------------------------------------------


def test_doctor_passes_on_a_healthy_store(capsys, two_plans) -> None:
    store, _ = two_plans
    code, report, err = doctor(capsys, store)
    assert code == 0 and err == ""
    assert report["ok"] is True and report["registry"] is True
    assert report["source_graphs"] == 2 and report["stale"] == [] and report["problems"] == []
    assert report["versions"] == [{"extractor": EXTRACTOR_VERSION, "ontology": ONTOLOGY_VERSION, "graphs": 2}]
    code, out, _ = run(capsys, "doctor", "--store", str(store))
    assert code == 0 and out.rstrip().endswith("doctor: OK") and "stale graphs: none" in out


def test_doctor_finds_half_written_and_foreign_graphs(capsys, two_plans) -> None:
    store, _ = two_plans
    db = ox.Store(str(store))
    half = ox.NamedNode("https://w3id.org/tthc-kg/graph/source/half-written-0000")
    db.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/tthc-kg/id/plan/half-written-0000"),
            ox.NamedNode(TTHC + "hasTask"),
            ox.NamedNode("https://w3id.org/tthc-kg/id/x"),
            half,
        )
    )
    db.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("o"), ox.NamedNode("urn:other")))
    db.flush()
    del db
    code, report, err = doctor(capsys, store)
    assert code == 1 and report["ok"] is False
    assert report["problems"] == [f"<{half.value}>: no source file node (a half-written or foreign graph)"]
    assert err.splitlines() == [f"tthc-kg: error: {p}" for p in report["problems"]]
    assert report["warnings"] == ["named graph <urn:other> was not written by tthc-kg"]


def test_doctor_finds_a_graph_without_its_plan_and_a_missing_registry(capsys, two_plans) -> None:
    store, _ = two_plans
    db = ox.Store(str(store))
    db.update(f"DELETE WHERE {{ GRAPH ?g {{ ?s <{TTHC}plan> ?p }} }}")
    db.remove_graph(ox.NamedNode("https://w3id.org/tthc-kg/graph/registry"))
    db.flush()
    del db
    code, report, _ = doctor(capsys, store)
    assert code == 1
    assert report["problems"][0].startswith("the registry graph")
    assert len(report["problems"]) == 3 and all("no plan recorded" in p for p in report["problems"][1:])


def test_doctor_needs_a_store(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "doctor", "--store", str(tmp_path / "nothing"))
    assert code == 2 and out == ""
    assert err == f"tthc-kg: error: no store at {tmp_path / 'nothing'} (run 'tthc-kg ingest' first)\n"
    assert not (tmp_path / "nothing").exists()


def test_doctor_sources_reports_changed_and_missing_files(capsys, two_plans) -> None:
    store, files = two_plans
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    files[1].unlink()
    code, report, _ = doctor(capsys, store, "--sources")
    assert code == 0
    assert report["changed_sources"] == [str(files[0])] and report["missing_sources"] == [str(files[1])]


# --- stale graphs and ingest --stale ------------------------------------------------------------------------------


def test_stale_graphs_are_reported_and_rebuilt_from_their_source(capsys, two_plans, tmp_path) -> None:
    store, files = two_plans
    fresh = dump(store)
    _age(store, files[0], "tthc-kg-extract/0.0.9", "0.0.1")
    _age(store, files[1], "tthc-kg-extract/0.1", None)  # built before ontology versions were recorded
    assert dump(store) != fresh
    code, report, _ = doctor(capsys, store)
    assert code == 0  # stale is not broken
    assert sorted(s["path"] for s in report["stale"]) == sorted(map(str, files))
    assert {(s["extractor"], s["ontology"]) for s in report["stale"]} == {
        ("tthc-kg-extract/0.0.9", "0.0.1"),
        ("tthc-kg-extract/0.1", None),
    }
    code, out, _ = run(capsys, "doctor", "--store", str(store))
    assert "stale graphs: 2 (rebuild them with 'tthc-kg ingest --stale')" in out
    code, out, err = run(capsys, "ingest", "--stale", "--store", str(store), "--no-index", "--quiet", "-v")
    assert code == 0, err
    assert sorted(line for line in out.splitlines() if line.startswith("committed ")) == sorted(
        f"committed {f}" for f in files
    )
    assert dump(store) == fresh  # rebuilt exactly as a fresh ingest
    code, report, _ = doctor(capsys, store)
    assert report["stale"] == []
    code, out, _ = run(capsys, "ingest", "--stale", "--store", str(store), "--no-index")
    assert code == 0 and out.startswith("no stale graphs in store")


def test_stale_graph_whose_source_is_gone_is_an_error(capsys, two_plans) -> None:
    store, files = two_plans
    _age(store, files[0], "tthc-kg-extract/0.0", "0.0")
    files[0].unlink()
    before = dump(store)
    code, out, err = run(capsys, "ingest", "--stale", "--store", str(store), "--no-index", "--quiet")
    assert code == 1
    assert err == f"tthc-kg: error: {files[0]}: no such file\n"
    assert f"1 failed: {files[0]}" in out
    assert dump(store) == before  # the stale graph stays until its source can be read again


def test_ingest_needs_paths_or_stale(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "ingest", "--store", str(tmp_path / "s"))
    assert code == 2
    assert err == "tthc-kg: error: give plan files or directories to ingest, or --stale to rebuild stale graphs\n"


# --- backup and restore -----------------------------------------------------------------------------------------


def export(capsysbinary: pytest.CaptureFixture[bytes], store: Path, target: Path) -> Path:
    capsysbinary.readouterr()
    assert main(["export", "--format", "nquads", "--store", str(store)]) == 0
    target.write_bytes(capsysbinary.readouterr().out)
    return target


def test_export_import_round_trip(capsysbinary, seed_store: Store, tmp_path) -> None:
    backup = export(capsysbinary, seed_store.path, tmp_path / "backup.nq")
    restored = tmp_path / "restored"
    assert main(["import", str(backup), "--store", str(restored)]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith(
        f"imported {len(dump(seed_store.path))} quads in {len(seed_store.graph_names())} named graphs"
    )
    assert dump(restored) == dump(seed_store.path)
    # the restored store answers as the original does
    for name in ("plans", "stats"):
        q = queries.load(name)
        assert list(Store(restored, read_only=True).select(q.text, q.bind({}))) == list(
            seed_store.select(q.text, q.bind({}))
        )
    assert main(["doctor", "--store", str(restored)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.nq", "restored"]  # no temporary left


def test_import_replaces_a_store_only_when_told_and_keeps_the_old_one(capsysbinary, two_plans, tmp_path) -> None:
    store, _ = two_plans
    backup = export(capsysbinary, store, tmp_path / "two.nq")
    other = tmp_path / "other"
    assert main(["ingest", str(SEEDS[0]), "--store", str(other), "--no-index", "--quiet"]) == 0
    before = dump(other)
    capsysbinary.readouterr()
    assert main(["import", str(backup), "--store", str(other)]) == 2
    err = capsysbinary.readouterr().err.decode()
    assert err.startswith(f"tthc-kg: error: store {other} holds ") and "give --replace" in err
    assert dump(other) == before
    assert main(["import", str(backup), "--store", str(other), "--replace"]) == 0
    out = capsysbinary.readouterr().out.decode()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("other.replaced-")]
    assert len(kept) == 1 and f"the previous store is kept at {kept[0]}" in out
    assert dump(other) == dump(store) and dump(kept[0]) == before


def test_a_broken_or_foreign_export_changes_nothing(capsysbinary, two_plans, tmp_path) -> None:
    store, _ = two_plans
    backup = export(capsysbinary, store, tmp_path / "full.nq")
    before = dump(store)
    data = backup.read_bytes()
    cut = tmp_path / "cut.nq"
    line_start = data.index(b"\n", len(data) // 2) + 1
    cut.write_bytes(data[: line_start + 10])  # a copy interrupted mid-line (inside the first IRI of a line)
    assert main(["import", str(cut), "--store", str(store), "--replace"]) == 2
    assert "not a valid N-QUADS export" in capsysbinary.readouterr().err.decode()
    cut.write_bytes(data[:line_start])  # cut on a line boundary: still valid N-Quads, but not the whole store
    assert main(["import", str(cut), "--store", str(store), "--replace"]) == 2
    err = capsysbinary.readouterr().err.decode()
    assert "an incomplete export (cut short?): its closing line is missing" in err and err.count("\n") == 1
    assert data.endswith(f"# tthc-kg export: {len(before)} quads\n".encode())
    foreign = tmp_path / "foreign.nq"
    foreign.write_text("<urn:s> <urn:p> <urn:o> <https://w3id.org/tthc-kg/graph/source/x> .\n", encoding="utf-8")
    assert main(["import", str(foreign), "--store", str(store), "--replace"]) == 2
    err = capsysbinary.readouterr().err.decode()
    assert "not a consistent tthc-kg store" in err and err.count("\n") == 1
    wrong = tmp_path / "backup.ttl"
    wrong.write_text("<urn:s> <urn:p> <urn:o> .\n", encoding="utf-8")
    assert main(["import", str(wrong), "--store", str(store), "--replace"]) == 2
    assert main(["import", str(tmp_path / "none.nq"), "--store", str(store)]) == 2
    assert dump(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "backup.ttl",
        "cut.nq",
        "foreign.nq",
        "full.nq",
        "plans",
        "store",
    ]
