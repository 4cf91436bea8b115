"""The registers behind the scores (issue 12 §2): 督察整改台账, 信访/12369案件, 通报·督办·批示, 突发环境事件, read
from files and turned into a scheme's inputs. Pure: no Django, ever (the web app's registers call these).

    kinds      REGISTERS, RegisterKind, Column       the four registers: column ids, Chinese labels, vocabularies
    read       read_register(kind, path)             a file, all or nothing, mistakes by file/sheet/row/column
               parse_register(kind, frame)           a table in memory (the web app's rows), the same checks
    metrics    METRICS, Metric                       what each metric counts for a year, with its seed clause
    derive     derive(registers, year, metrics)      one row per unit, one column per metric
               derive_inputs(scheme, registers, year)  the scheme's inputs with ``source: register.<metric>``
               rows_counted(register, metric, year)  the rows behind a count (evidence)
    template   write_register_template(kind, path)   an empty Excel template with validation and 说明
"""

from kaohe.registers.derive import derive, derive_inputs, registers_needed, rows_counted, scheme_metrics
from kaohe.registers.kinds import REGISTERS, Column, RegisterKind, register_kind
from kaohe.registers.metrics import METRICS, Metric
from kaohe.registers.read import empty_register, parse_register, read_register
from kaohe.registers.template import write_register_template

__all__ = [
    "METRICS",
    "REGISTERS",
    "Column",
    "Metric",
    "RegisterKind",
    "derive",
    "derive_inputs",
    "empty_register",
    "parse_register",
    "read_register",
    "register_kind",
    "registers_needed",
    "rows_counted",
    "scheme_metrics",
    "write_register_template",
]
