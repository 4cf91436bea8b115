"""The formatted results workbook (the same as ``kaohe score --out results.xlsx``)."""

from kaohe.core.workbooks import write_results

__all__ = ["write_results"]
