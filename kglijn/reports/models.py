"""The reports app's own model: saved report definitions (the model lives in saved.py).

The rollups the reports read belong to the register: `kglijn.contacts.rollups`.
"""

from kglijn.reports.saved import SavedReport  # noqa: F401  (model lives in saved.py)
