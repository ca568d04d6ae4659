"""Permissions of the congress app (see gongjiang.core.access).

* ``congress.view`` — terms, delegates, sessions, votes, resolutions, open affairs of the subtree.
* ``congress.manage`` — set terms, delegations, delegates, sessions, agenda, attendance (the clerk),
  open and close votes, record resolutions, publish open affairs, keep departments and rules.
* ``congress.view_proposal`` — read every proposal of the subtree (and the rates).
* ``congress.review_proposal`` — the proposal committee: accept, merge, convert, assign, close.
* ``congress.take_part`` — a worker's part: as a delegate sign in, vote, propose and co-sign
  (the service checks the delegate seat); any worker writes to the direct channel and rates.
* ``congress.view_suggestion`` / ``congress.reply_suggestion`` — the union's side of the channel.
"""

from gongjiang.core.access import grant

grant("congress.view", ["admin", "officer", "committee", "inspector"])
grant("congress.manage", ["admin", "officer"])
grant("congress.view_proposal", ["admin", "officer", "committee", "inspector"])
grant("congress.review_proposal", ["committee"])
grant("congress.take_part", ["worker"])
grant("congress.view_suggestion", ["admin", "officer", "committee"])
grant("congress.reply_suggestion", ["admin", "officer"])
