"""A study's results on disk: Parquet parts written as batches finish, one sorted file at the end.

Layout of a study folder (``--out DIR``)::

    DIR/study.json         what the study is (its key) and the designs chosen so far
    DIR/parts/*.parquet    one file per finished batch of samples, each written atomically
    DIR/samples.parquet    every row, sorted: written when the study ends

A part is complete or absent (written to a temporary name, then renamed), so a study
stopped at any moment keeps every batch that finished; ``--resume`` reads the parts to
solve only the rows not yet there. The final file is sorted by design, kind, input, level
and sample, and holds nothing that depends on timing, so the same study gives the same
file whatever the executor and the order in which batches finished.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from planner.load import InputError
from planner.outputs import atomic_path, write_text_atomic

KEY_COLUMNS = ("design_id", "kind", "input", "level", "sample")
KINDS = ("sample", "tornado")


def row_key(row: dict[str, Any]) -> tuple:
    return tuple(row[c] for c in KEY_COLUMNS)


def table_of(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


class Store:
    """The study folder; see the module docstring."""

    def __init__(self, folder: str | Path, schema: pa.Schema):
        self.folder = Path(folder)
        self.parts = self.folder / "parts"
        self.schema = schema

    @property
    def meta_path(self) -> Path:
        return self.folder / "study.json"

    @property
    def final_path(self) -> Path:
        return self.folder / "samples.parquet"

    def open(self, key: dict[str, Any], resume: bool) -> dict[str, Any]:
        """Start or resume the study of ``key``; returns what was saved of it ({} when new).

        Raises InputError when the folder holds a study and ``resume`` is not given, or holds a
        study of other inputs.
        """
        saved: dict[str, Any] = {}
        if self.meta_path.exists():
            try:
                saved = json.loads(self.meta_path.read_text())
            except (OSError, ValueError) as err:
                raise InputError("--out", str(self.folder), f"cannot read {self.meta_path.name}: {err}") from None
            if not resume:
                raise InputError("--out", str(self.folder), "already holds a risk study; pass --resume to continue "
                                 "it, or choose another folder")
            if saved.get("key") != key:
                changed = sorted(k for k in set(key) | set(saved.get("key", {}))
                                 if key.get(k) != saved.get("key", {}).get(k))
                raise InputError("--out", str(self.folder), "holds a study of other inputs (" + ", ".join(changed)
                                 + " differ); --resume continues a study with the same site, overrides, seed and "
                                 "options (more --samples may be asked)")
        elif resume and self.parts.exists() and any(self.parts.glob("*.parquet")):
            raise InputError("--out", str(self.folder), "has parts but no study.json; start afresh in another folder")
        self.parts.mkdir(parents=True, exist_ok=True)
        saved["key"] = key
        self.save(saved)
        return saved

    def save(self, meta: dict[str, Any]) -> None:
        write_text_atomic(self.meta_path, json.dumps(meta, indent=1, sort_keys=True) + "\n", "--out")

    def write_part(self, rows: list[dict[str, Any]]) -> None:
        """One finished batch, atomically, under a name given by its rows' keys."""
        if not rows:
            return
        first = rows[0]
        digest = hashlib.sha1(json.dumps([row_key(r) for r in rows]).encode()).hexdigest()[:12]
        path = self.parts / f"{first['design_id']}-{first['kind']}-{digest}.parquet"
        with atomic_path(path, "--out") as tmp:
            pq.write_table(table_of(rows, self.schema), tmp)

    def rows(self) -> list[dict[str, Any]]:
        """Every row of every part, each key once."""
        seen: dict[tuple, dict[str, Any]] = {}
        for path in sorted(self.parts.glob("*.parquet")):
            try:
                table = pq.read_table(path, schema=self.schema)
            except (OSError, pa.ArrowException):
                continue  # a part that cannot be read is solved again
            for row in table.to_pylist():
                seen.setdefault(row_key(row), row)
        return list(seen.values())

    def done(self) -> set[tuple]:
        return {row_key(r) for r in self.rows()}

    def write_final(self, rows: Iterable[dict[str, Any]]) -> Path:
        with atomic_path(self.final_path, "--out") as tmp:
            pq.write_table(table_of(list(rows), self.schema), tmp)
        return self.final_path


__all__ = ["Store", "KEY_COLUMNS", "row_key"]
