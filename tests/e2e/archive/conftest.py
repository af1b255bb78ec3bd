"""The archive tests reuse the report's known data."""

from tests.e2e.reports.conftest import report_data

__all__ = ["report_data"]
