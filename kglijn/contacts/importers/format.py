"""The contact import format (../shared/docs/architecture.md, docs/import.md): its columns."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

REQUIRED_COLUMNS = (
    "external_id",
    "received_at",
    "channel",
    "origin",
    "direction",
    "province",
    "topic",
    "reasons",
    "referrals",
    "office",
    "anonymous",
)
OPTIONAL_COLUMNS = ("answered_at", "closed_at")
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
EXTERNAL_ID_MAX_LENGTH = 100  # Contact.external_id
CODE_SEPARATOR = "|"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, bad header); nothing was written."""


def header_positions(header: Sequence[str]) -> dict[str, int]:
    """Column name -> position; raises ImportFileError naming unknown, repeated or missing ones."""
    names = [name.strip() for name in header]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    unknown = [name for name in names if name not in ALL_COLUMNS]
    if unknown:
        raise ImportFileError(
            _("unknown column(s) in the header: %(columns)s (known columns: %(known)s)")
            % {
                "columns": ", ".join(f'"{name}"' for name in unknown),
                "known": ", ".join(ALL_COLUMNS),
            }
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportFileError(
            _("column(s) appear more than once in the header: %(columns)s")
            % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportFileError(
            _("required column(s) missing from the header: %(columns)s")
            % {"columns": ", ".join(missing)}
        )
    return {name: position for position, name in enumerate(names)}
