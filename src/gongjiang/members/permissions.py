"""Permissions of member services (see gongjiang.core.access).

* ``members.use`` — the phone home: stations, activities, campaigns, help, notifications (every role).
* ``members.manage_station`` — keep the station directory of one's subtree, read its check-ins and
  feedback.
* ``members.manage_activity`` — publish activities and campaigns, check people in, read attendance.
* ``members.handle_help`` — answer, hand over and resolve help requests routed to one's subtree.
* ``members.publish_news`` — publish news and notices for one's subtree (or the public).
"""

from gongjiang.core.access import ALL_ROLES, grant

grant("members.use", ALL_ROLES)
grant("members.manage_station", ["admin", "officer"])
grant("members.manage_activity", ["admin", "officer", "trainer"])
grant("members.handle_help", ["admin", "officer"])
grant("members.publish_news", ["admin", "officer"])

# e-library: ``members.manage_library`` puts books on a union's shelf; ``members.recommend_books``
# makes reading lists by occupation (trainers); ``members.library_stats`` reads aggregates.
grant("members.manage_library", ["admin", "officer"])
grant("members.recommend_books", ["admin", "trainer"])
grant("members.library_stats", ["admin", "officer"])
