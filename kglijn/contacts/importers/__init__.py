"""Bulk import of historical contacts (`kglijn import contacts FILE`, docs/import.md)."""

from kglijn.contacts.importers.format import ImportFileError
from kglijn.contacts.importers.service import ImportResult, contacts_import, default_rejects_path

__all__ = ["ImportFileError", "ImportResult", "contacts_import", "default_rejects_path"]
