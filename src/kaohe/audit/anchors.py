"""Anchors: the chain head printed on what kaohe publishes, so that a paper copy pins the log.

Every 通报 (Word) and results workbook carries a 校验码 — the first 12 hex digits of the newest entry's keyed hash,
in groups of four — and that entry's position, e.g. ``校验码 3f2a-9c1b-77e0（审计记录 #1234）``.
``kaohe audit verify --anchor '3f2a-9c1b-77e0 #1234'`` checks that the entry at that position still has that hash.
Rewriting any entry up to #1234 changes the hash at #1234 (each entry's HMAC covers the previous hash), and nobody
without the audit key can produce a matching one; 48 bits make a lucky guess a 1 in 2.8·10¹⁴ chance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kaohe.audit.models import AuditLog, ChainHead

CODE_DIGITS = 12


@dataclass(frozen=True)
class Anchor:
    seq: int
    code: str  # CODE_DIGITS lower-case hex digits

    @property
    def grouped(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def text(self) -> str:
        """The line printed on a document."""
        return f"校验码 {self.grouped}（审计记录 #{self.seq}）"


def current() -> Anchor | None:
    """The chain head as an anchor (None while the log is empty)."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.last_seq == 0:
        return None
    return Anchor(head.last_seq, head.last_hash[:CODE_DIGITS].lower())


def parse(text: str) -> tuple[str, int | None]:
    """(code, position) from what a person types: ``3f2a-9c1b-77e0 #1234``, ``3F2A9C1B77E0``, the printed line…"""
    position = None
    match = re.search(r"#\s*(\d+)", text)
    if match:
        position = int(match.group(1))
        text = text[: match.start()] + text[match.end() :]
    code = "".join(re.findall(r"[0-9a-fA-F]", re.sub(r"校验码|审计记录", "", text))).lower()
    if len(code) != CODE_DIGITS:
        raise ValueError(f"校验码应为 {CODE_DIGITS} 位十六进制数字（如 3f2a-9c1b-77e0 #1234），收到「{text.strip()}」")
    return code, position


def check(text: str) -> tuple[bool, str]:
    """(matches, a sentence) for a printed anchor."""
    code, position = parse(text)
    grouped = Anchor(0, code).grouped
    if position is None:
        matches = [e.seq for e in AuditLog.objects.filter(hash__startswith=code).only("seq")]
        if not matches:
            return False, f"校验码 {grouped} 不属于审计日志中的任何记录：打印件之后日志被改写，或校验码抄错"
        return True, f"校验码 {grouped} 与审计记录 #{matches[0]} 一致"
    entry = AuditLog.objects.filter(seq=position).only("seq", "hash").first()
    if entry is None:
        return False, f"审计记录 #{position} 已不存在（校验码 {grouped}）：日志被截断或删除"
    if entry.hash[:CODE_DIGITS].lower() != code:
        found = Anchor(position, entry.hash[:CODE_DIGITS]).grouped
        return False, f"审计记录 #{position} 的校验码现为 {found}，打印件上为 {grouped}：此后日志被改写"
    return True, f"校验码 {grouped} 与审计记录 #{position} 一致"
