"""Bounds on text a person types into the web app (issue 9 §2; chosen here, docs/web.md).

A reason or a comment is a paragraph and is written into the append-only audit log (a 5 MB comment went in twice:
as the row's text and as the entry's reason); an explanation of a self-evaluation is a few pages. The forms and
the JSON API both apply them.
"""

from __future__ import annotations

MAX_REASON_CHARS = 2_000  # 退回意见, 调整理由, 意见 (send back, reopen)
MAX_EXPLANATION_CHARS = 20_000  # 自评说明
MAX_APPEAL_CHARS = 5_000  # 申诉理由: a page or two (issue 10 §4)
MAX_APPEAL_FILES = 5  # 申诉材料 per appeal, each within EVIDENCE_MAX_MB
MAX_REPORT_FILES = 10  # 附件 of one 调度记录 entry (进展报告, 申请销号), each within EVIDENCE_MAX_MB
