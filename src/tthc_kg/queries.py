"""Named SPARQL queries: every ``queries/*.rq`` file, with its parameters declared in its header.

Header lines: ``# param: NAME TYPE [= DEFAULT]`` (TYPE: xsd:date, xsd:string, xsd:boolean, xsd:integer, iri;
DEFAULT ``today`` means today in Asia/Ho_Chi_Minh). Values are bound as RDF terms by the store (SPARQL
substitution), never formatted into the query text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM = re.compile(r"^#\s*param:\s*(?P<name>\w+)\s+(?P<type>\S+)(?:\s*=\s*(?P<default>\S+))?", re.M)


class QueryError(ValueError):
    pass


def today() -> date:
    """Today in Asia/Ho_Chi_Minh (DESIGN.md: the default "as of" date)."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def queries_dir() -> Path:
    env = os.environ.get("TTHC_KG_QUERIES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "queries"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    description: str
    params: tuple[Param, ...]

    def bind(self, values: dict[str, str]) -> dict[str, Any]:
        """Typed RDF terms for the given string values, with defaults; unknown or missing ones are errors."""
        known = {p.name: p for p in self.params}
        for k in values:
            if k not in known:
                raise QueryError(f"query {self.name!r} has no parameter {k!r} (has: {', '.join(known) or 'none'})")
        out: dict[str, Any] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                raise QueryError(f"query {self.name!r} needs --param {p.name}=… ({p.type})")
            out[p.name] = to_term(raw, p.type, p.name)
        return out


def to_term(raw: str, typ: str, name: str = "value") -> Any:
    if typ == "xsd:date":
        value = today() if raw == "today" else _parse_date(raw, name)
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if typ == "xsd:boolean":
        if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise QueryError(f"{name}: expected true or false, got {raw!r}")
        return ox.Literal(
            "true" if raw.lower() in ("true", "1", "yes") else "false", datatype=ox.NamedNode(XSD + "boolean")
        )
    if typ == "xsd:integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise QueryError(f"{name}: expected an integer, got {raw!r}")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
    if typ == "iri":
        try:
            return ox.NamedNode(raw)
        except ValueError as exc:
            raise QueryError(f"{name}: not an IRI: {raw!r}") from exc
    return ox.Literal(raw)


def _parse_date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise QueryError(f"{name}: expected a date YYYY-MM-DD, got {raw!r}") from exc


@cache
def load(name: str, directory: str | None = None) -> NamedQuery:
    base = Path(directory) if directory else queries_dir()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise QueryError(f"no query named {name!r}")
    path = base / f"{name}.rq"
    if not path.is_file():
        raise QueryError(f"no query named {name!r} (see: {', '.join(available(directory))})")
    text = path.read_text(encoding="utf-8")
    head = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    description = " ".join(h for h in head if not h.startswith("param:"))
    params = tuple(Param(m["name"], m["type"], m["default"]) for m in _PARAM.finditer(text))
    return NamedQuery(name, text, description, params)


def available(directory: str | None = None) -> list[str]:
    base = Path(directory) if directory else queries_dir()
    return sorted(p.stem for p in base.glob("*.rq"))
