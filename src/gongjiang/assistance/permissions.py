"""Permissions of the assistance app (see gongjiang.core.access).

Hardship data is held under its own permissions, granted only to the assistance role (帮扶干事):
a union's ordinary officers and admins do not see it (they get 404 on every page and endpoint).

* ``assistance.view`` — read the hardship files of one's subtree (each reading audited with its purpose).
* ``assistance.check`` — apply on a worker's behalf; check an application (enterprise union).
* ``assistance.approve`` — approve a checked file; only from a body above the file's union.
* ``assistance.support`` — support lines, support records, campaigns and visits.
* ``assistance.pay`` — pay decided support from a fund (not the person who decided it).
* ``assistance.standards`` — add minimum-living standards for regions inside one's own.
* ``assistance.assess`` — the calculator (assistance officers, and workers checking themselves).

The assistance role also posts to funds and publishes notices (core.ledger, core.notices).
"""

from gongjiang.core.access import grant

ROLES = ["assistance"]

for perm in (
    "assistance.view",
    "assistance.check",
    "assistance.approve",
    "assistance.support",
    "assistance.pay",
    "assistance.standards",
):
    grant(perm, ROLES)
grant("assistance.assess", ["assistance", "worker"])
# the shared pieces the assistance officers use: the money ledger and public notices
grant("core.view_fund", ROLES)
grant("core.view_ledgerentry", ROLES)
grant("core.change_fund", ROLES)
grant("core.change_publicnotice", ROLES)
