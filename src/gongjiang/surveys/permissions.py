"""Permissions of worker surveys (see gongjiang.core.access).

* ``surveys.view_survey`` — read the surveys of one's subtree and their results (breakdowns under
  the threshold withheld);
* ``surveys.manage`` — create and edit questionnaires, publish (not one's own last edit), send,
  close, set the threshold;
* ``surveys.read_text`` — read the answers to open questions, as a whole.

Answering needs no permission: it needs an invitation (one's own, or the anonymous link's token).
"""

from gongjiang.core.access import grant

grant("surveys.view_survey", ["admin", "officer", "inspector"])
grant("surveys.manage", ["admin", "officer"])
grant("surveys.read_text", ["admin", "officer"])
