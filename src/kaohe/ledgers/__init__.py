"""台账: the registers behind the scores (issue 12 §1), kept in the web app — 督察整改台账, 信访/12369案件,
通报·督办·批示台账 and 突发环境事件台账. Thin over the pure :mod:`kaohe.registers` (the columns, the vocabularies,
the reading of a register file); every write is an audited action (``actions.py``)."""
