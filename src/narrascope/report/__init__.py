"""The single-file HTML report (and its JSON twin), built from plain data dicts."""

from narrascope.report.data import report_data
from narrascope.report.render import write_report

__all__ = ["report_data", "write_report"]
