"""The four registers (issue 12 §1) as data: their columns, Chinese labels and closed vocabularies.

    REGISTERS["rectification"]   督察整改台账    seed 003 二(七): 清单管理、定期调度、销号验收 …
    REGISTERS["complaints"]      信访/12369案件  seed 003 四(十三): 分别受理、按类交办、跟踪督办 …
    REGISTERS["notices"]         通报·督办·批示  seed 004 3.15(2)④, D2, D3
    REGISTERS["incidents"]       突发环境事件    seed 001 四(三)1, seed 002 第九条(三), seed 004 D4

Column ids are those of issue 12 §2, in its order; a file's header may be the id or the template's label
(``整改时限 [deadline]``). Users see the words of a vocabulary, never codes. Kinds of column:

    key       text that identifies (unit_id, the row's id); never empty
    text      free text, trimmed
    choice    one word of ``choices``
    boolean   是/否 (the grammar of kaohe.core.values); empty = 否
    date      an ISO date (kaohe.core.values.parse_date_cell); empty = not yet
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["key", "text", "choice", "boolean", "date"]

# 问题来源: issue 12 §1.1; 中央/省级督察 seed 003 二(七), 绿盾 seed 004 3.9.1, 长江经济带 seed 004 3.14
SOURCES = ("中央生态环境保护督察", "省级督察", "市级督办", "绿盾", "长江经济带", "其他")
LEVELS = ("中央", "省", "市")  # issue 12 §1.1 and §1.3; seed 004 D2/D3 国家、省、市
CHANNELS = ("12369热线", "网络", "信访", "督察交办")  # issue 12 §1.2; seed 003 四(十三) 12369
CATEGORIES = ("大气", "水", "噪声", "固废", "生态", "其他")  # issue 12 §1.2 按类交办
# who assigned a case to the unit (交办); empty: the unit received it itself (seed 004 3.15(2)② 交办信访件)
ASSIGNERS = ("中央生态环境保护督察", "省级督察", "市级督办", "其他")
NOTICE_KINDS = ("通报", "督办", "退办", "追责", "批示", "曝光")  # issue 12 §1.3
# the cause of a notice: issue 12 §1.3 names 整改不到位, 监管不力, 未落实批示; seed 004 D2/D4 add 失职渎职
NOTICE_CAUSES = ("整改不到位", "监管不力", "失职渎职", "未落实批示", "其他")
SEVERITIES = ("一般", "较大", "重大", "特别重大")  # 国家突发环境事件应急预案的分级, issue 12 §1.4


@dataclass(frozen=True)
class Column:
    id: str
    label: str  # Chinese, what the template's header and the messages show
    kind: ColumnKind
    choices: tuple[str, ...] = ()
    required: bool = False  # a value in every row (keys always)
    note: str = ""  # what an empty cell means, for the template's instructions

    @property
    def header(self) -> str:
        """The template's header: ``整改时限 [deadline]`` (as ``kaohe.core.values.label``)."""
        return f"{self.label} [{self.id}]"


@dataclass(frozen=True)
class RegisterKind:
    id: str  # rectification, complaints, notices, incidents
    label: str  # 督察整改台账 …
    key: str  # the column that identifies a row: problem_id …
    columns: tuple[Column, ...]
    basis: str  # the seed clause the register comes from

    def column(self, column_id: str) -> Column:
        for column in self.columns:
            if column.id == column_id:
                return column
        raise KeyError(column_id)

    @property
    def ids(self) -> list[str]:
        return [column.id for column in self.columns]


def _unit() -> Column:
    return Column("unit_id", "单位代码", "key", required=True)


RECTIFICATION = RegisterKind(
    "rectification",
    "督察整改台账",
    "problem_id",
    (
        _unit(),
        Column("problem_id", "问题编号", "key", required=True),
        Column("source", "问题来源", "choice", SOURCES, required=True),
        Column("level", "交办层级", "choice", LEVELS),
        Column("listed_by_nation", "国家挂号", "boolean", note="空白为否"),
        Column("description", "问题描述", "text"),
        Column("deadline", "整改时限", "date", note="最后一次同意延期后的时限；空白为尚未确定"),
        Column("completed_on", "完成整改日期", "date", note="空白为尚未完成"),
        Column("closed_on", "销号日期", "date", note="验收销号的日期；空白为尚未销号"),
    ),
    "seed 003 二(七) 领导包保、清单管理、定期调度、销号验收",
)
COMPLAINTS = RegisterKind(
    "complaints",
    "信访/12369案件",
    "case_id",
    (
        _unit(),
        Column("case_id", "案件编号", "key", required=True),
        Column("channel", "受理渠道", "choice", CHANNELS, required=True),
        Column("category", "案件类别", "choice", CATEGORIES),
        Column("assigned_by", "交办单位", "choice", ASSIGNERS, note="空白为本单位自行受理"),
        Column("received_on", "受理日期", "date"),
        Column("due_on", "办结时限", "date", note="空白为尚未确定"),
        Column("closed_on", "办结日期", "date", note="空白为尚未办结"),
    ),
    "seed 003 四(十三) 分别受理、按类交办、跟踪督办、信息公开、考核问责",
)
NOTICES = RegisterKind(
    "notices",
    "通报·督办·批示台账",
    "notice_id",
    (
        _unit(),
        Column("notice_id", "编号", "key", required=True),
        Column("date", "日期", "date", required=True),
        Column("level", "层级", "choice", LEVELS, required=True),
        Column("kind", "类型", "choice", NOTICE_KINDS, required=True),
        Column("cause", "原因", "choice", NOTICE_CAUSES),
        Column("rectified_in_time", "按时整改落实", "boolean", note="空白为尚未整改落实(按未按时计)"),
    ),
    "seed 004 3.15(2)④, (二)2、3",
)
INCIDENTS = RegisterKind(
    "incidents",
    "突发环境事件台账",
    "incident_id",
    (
        _unit(),
        Column("incident_id", "事件编号", "key", required=True),
        Column("date", "发生日期", "date", required=True),
        Column("severity", "事件等级", "choice", SEVERITIES, required=True),
        Column("supervision_failure", "因监管不力", "boolean", note="经调查认定因监管不力、失职渎职；空白为否"),
        Column("group_incident", "引发群体性事件", "boolean", note="空白为否"),
    ),
    "seed 004 (二)4, seed 001 四(三)1, seed 002 第九条(三)",
)

REGISTERS: dict[str, RegisterKind] = {r.id: r for r in (RECTIFICATION, COMPLAINTS, NOTICES, INCIDENTS)}


def register_kind(kind: str) -> RegisterKind:
    """The register ``kind`` (rectification, complaints, notices, incidents); a KeyError names the four."""
    try:
        return REGISTERS[kind]
    except KeyError:
        raise KeyError(f"unknown register {kind!r}; expected one of {', '.join(REGISTERS)}") from None
