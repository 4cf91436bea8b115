"""Who may download the cycle's files (loaded by rules' autodiscovery).

    reports.export_results   考核办 and 领导 (the full results workbook, before and after publication)
    reports.view_notice      考核办 and 领导 at any time (a draft 通报 before publication); everyone after it

The views answer 404 while a cycle has no results. The self-evaluation workbook reuses the assessments
permissions: whoever may see the assessment may download its sheet, whoever may edit its items may upload it.
"""

from __future__ import annotations

import rules

from kaohe.assessments.rules import is_approver, is_office, is_published

rules.add_perm("reports.export_results", is_office | is_approver)
rules.add_perm("reports.view_notice", is_published | is_office | is_approver)
