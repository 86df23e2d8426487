"""`contacts_import`: historical contacts from a CSV or XLSX file (docs/import.md)."""

from __future__ import annotations

import csv
import gc
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from kglijn.contacts.importers.format import header_positions
from kglijn.contacts.importers.loading import ContactLoader
from kglijn.contacts.importers.readers import Chunk, open_rows
from kglijn.contacts.importers.validation import RowValidator, ValidatedChunk, catalogue_load
from kglijn.contacts.rollups.services import rollups_add_new_contacts
from kglijn.core.bulk import fast_writes

CHUNK_SIZE = 20_000
MESSAGES_KEPT = 50  # bad rows described in the result; the rejects file has all of them


@dataclass
class ImportResult:
    path: Path
    dry_run: bool = False
    skip_invalid: bool = False
    read: int = 0  # data rows in the file
    imported: int = 0  # new contacts (would be, with dry_run)
    already_present: int = 0  # rows whose external_id a contact already has: left unchanged
    rejected: int = 0  # bad rows
    messages: list[str] = field(default_factory=list)  # "line 17: reason; reason", the first ones
    rejects_path: Path | None = None  # written when skip_invalid and rows were rejected
    seconds: float = 0.0
    rollup_seconds: float = 0.0  # of `seconds`: adding the imported contacts to the rollups
    rollup_rows: int = 0  # rollup rows (day and month) the import added to or created

    @property
    def failed(self) -> bool:
        """Nothing was imported because of bad rows."""
        if not self.rejected:
            return False
        return not self.skip_invalid or self.rejected == self.read

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def default_rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.rejected.csv")


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Chunks are millions of small objects without reference cycles: the cyclic collector would
    # rescan them over and over (it halves the import speed) and has nothing to collect.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_DONE = object()


@contextmanager
def _validated_ahead(
    chunks: Iterator[Chunk], validate: Callable[[list[int], list[list[str]]], ValidatedChunk]
) -> Iterator[Iterator[ValidatedChunk]]:
    """The chunks, validated in a second thread while this one writes the previous ones.

    Reading and checking is Python work; writing is mostly waiting for the database (psycopg
    releases the GIL then), so the two overlap on a second core. The database connection and
    its transaction stay in the calling thread. At most two chunks wait in between; an error in
    the reader (a broken CSV line) is raised here, in order, after the chunks before it.
    """
    ahead: queue.Queue[object] = queue.Queue(maxsize=2)
    stop = threading.Event()
    language = translation.get_language()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        with translation.override(language):
            try:
                for lines, rows in chunks:
                    if not put(validate(lines, rows)):
                        return
            except BaseException as exc:  # handed to the consuming thread, raised there
                put(exc)
                return
            put(_DONE)

    def consume() -> Iterator[ValidatedChunk]:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, ValidatedChunk)
            yield item

    worker = threading.Thread(target=work, name="kglijn-import-check", daemon=True)
    worker.start()
    try:
        yield consume()
    finally:
        stop.set()
        worker.join()


class _Rejects:
    """The rejected rows as read, plus their line and reasons, in a CSV opened on first use."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self._handle: IO[str] | None = None
        self._writer: csv.Writer | None = None  # type: ignore[name-defined]

    def write(self, chunk: ValidatedChunk) -> None:
        if self._writer is None:
            self._handle = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow([*self.header, "line", "reason"])
        for index, reasons in sorted(chunk.errors.items()):
            self._writer.writerow([*chunk.rows[index], chunk.lines[index], "; ".join(reasons)])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def contacts_import(
    *,
    path: Path,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    dry_run: bool = False,
    progress: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Import the file's contacts in one transaction: all or nothing, idempotent on external_id.

    Without `skip_invalid` a single bad row means nothing is written; with it the good rows are
    written and the bad ones go to `rejects_path` (default `<file>.rejected.csv`) with their
    line and reasons. Rows whose external_id exists are left as they are and counted as
    already present. Raises ImportFileError (nothing written) when the file cannot be read.
    """
    started = time.perf_counter()
    result = ImportResult(path=path, dry_run=dry_run, skip_invalid=skip_invalid)
    with ExitStack() as stack:
        source = stack.enter_context(open_rows(path))
        positions = header_positions(source.header)
        validator = RowValidator(positions=positions, catalogue=catalogue_load())
        rejects = None
        if skip_invalid:
            rejects = _Rejects(rejects_path or default_rejects_path(path), source.header)
            stack.callback(rejects.close)
        stack.enter_context(_gc_paused())
        stack.enter_context(fast_writes(connection))
        stack.enter_context(transaction.atomic())
        loader = ContactLoader(connection=connection, now=timezone.now())
        bars = {
            name: stack.enter_context(
                tqdm(
                    total=source.estimated_rows,
                    desc=desc,
                    unit=" rows",
                    file=sys.stderr,
                    disable=not progress,
                    position=position,
                    leave=True,
                    unit_scale=True,
                    smoothing=0.1,
                )
            )
            for position, (name, desc) in enumerate(
                [("check", _("checking")), ("load", _("loading"))]
            )
        }
        loading = True
        checked = stack.enter_context(
            _validated_ahead(source.chunks(chunk_size), validator.validate)
        )
        for chunk in checked:
            lines, rows = chunk.lines, chunk.rows
            result.read += len(rows)
            bars["check"].update(len(rows))
            keep: list[int] | None = None
            if chunk.errors:
                result.rejected += len(chunk.errors)
                for index in sorted(chunk.errors)[: MESSAGES_KEPT - len(result.messages)]:
                    result.messages.append(
                        _("line %(line)d: %(reasons)s")
                        % {"line": lines[index], "reasons": "; ".join(chunk.errors[index])}
                    )
                if rejects is not None:
                    rejects.write(chunk)
                    result.rejects_path = rejects.path
                else:
                    loading = False  # all or nothing: keep checking to report every bad row
                keep = [index for index in range(len(rows)) if index not in chunk.errors]
            if not loading:
                continue
            candidates = chunk.external_id if keep is None else [chunk.external_id[i] for i in keep]
            present = loader.existing(candidates)
            if present:
                result.already_present += len(present)
                indexes = range(len(rows)) if keep is None else keep
                keep = [i for i in indexes if chunk.external_id[i] not in present]
            if dry_run:
                result.imported += len(candidates) - len(present)
            else:
                result.imported += loader.write(chunk, keep)
            bars["load"].update(len(candidates))
        if result.failed:
            result.imported = 0
            result.already_present = 0
        if result.failed or dry_run:
            transaction.set_rollback(True)
        elif loader.new is not None:
            # Imported rows are new contacts: they are added to the rollups, O(imported).
            refresh_started = time.perf_counter()
            result.rollup_rows = rollups_add_new_contacts(loader.new)
            result.rollup_seconds = time.perf_counter() - refresh_started
        if not (result.failed or dry_run):
            loader.close()  # a rolled-back transaction takes its tables along
    result.seconds = time.perf_counter() - started
    return result
