"""Permissions this app grants to roles (see gongjiang.core.access).

* ``reform.view`` — read plans, ledgers, inspections, rollout (scoped, see querysets.py).
* ``reform.change_plan`` — write plans and tasks of one's organisation subtree.
* ``reform.report`` — report progress on tasks one's unit leads; reply to notices and rectifications.
* ``reform.review`` — accept or return reports on one's own plans (the coordinating body).
* ``reform.inspect`` — run inspections, record findings, close rectifications, issue notices.
* ``reform.rollout`` — record rollout milestones; configure scoring schemes.

A role held in a government department (a ministry's liaison) carries only ``reform.view`` and
``reform.report`` (core.access.grant_departments).
"""

from gongjiang.core.access import grant, grant_departments

grant("reform.view", ["admin", "officer", "inspector"])
grant("reform.change_plan", ["admin", "officer"])
grant("reform.report", ["admin", "officer"])
grant("reform.review", ["admin", "officer"])
grant("reform.inspect", ["admin", "officer", "inspector"])
grant("reform.rollout", ["admin", "officer"])
# a ministry's liaison (a role in a government department) follows the ledger and reports on the
# tasks its department leads; reviewing, planning and inspecting stay with the union bodies
grant_departments(["reform.view", "reform.report"])
