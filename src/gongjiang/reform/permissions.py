"""Permissions this app grants to roles (see gongjiang.core.access).

* ``reform.view`` — read plans, ledgers, inspections, rollout (scoped, see querysets.py).
* ``reform.change_plan`` — write plans and tasks of one's organisation subtree.
* ``reform.report`` — report progress on tasks one's unit leads; reply to notices and rectifications.
* ``reform.review`` — accept or return reports on one's own plans (the coordinating body).
* ``reform.inspect`` — run inspections, record findings, close rectifications, issue notices.
* ``reform.rollout`` — record rollout milestones; configure scoring schemes.
"""

from gongjiang.core.access import grant

grant("reform.view", ["admin", "officer", "inspector"])
grant("reform.change_plan", ["admin", "officer"])
grant("reform.report", ["admin", "officer"])
grant("reform.review", ["admin", "officer"])
grant("reform.inspect", ["admin", "officer", "inspector"])
grant("reform.rollout", ["admin", "officer"])
