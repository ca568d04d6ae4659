"""Permissions this app grants to roles (see gongjiang.core.access).

* Everyone with a role sees the competitions organised in, or entered from, their subtree.
* admin and officer of the organiser's subtree set competitions up, review entries, compute,
  approve and publish results; officers of a sending organisation register and nominate entrants.
* Judges mark through their judge assignments (a row per stage × criterion), not through a role
  scope: a judge sees only what they are assigned to.
"""

from gongjiang.core.access import ALL_ROLES, grant

MANAGERS = ["admin", "officer"]

grant("competitions.view_competition", list(ALL_ROLES))
grant("competitions.change_competition", MANAGERS)
grant("competitions.view_entry", MANAGERS + ["trainer", "inspector"])
grant("competitions.change_entry", MANAGERS)
grant("competitions.view_result", MANAGERS + ["trainer", "inspector"])
grant("competitions.publish", MANAGERS)
