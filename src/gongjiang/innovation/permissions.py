"""Permissions of the innovation app (see gongjiang.core.access).

* ``innovation.view_result`` — read the results of one's subtree (a worker reads their own anyway).
* ``innovation.submit_result`` — enter and submit results for workers of one's subtree.
* ``innovation.review_result`` — adopt or not adopt, record implementation (enterprise review).
* ``innovation.certify_effect`` — certify the measured effect of an implemented result.
* ``innovation.view_analytics`` — results per 100 workers by employer, industry and region.
* ``innovation.preview_share`` — use the revenue-sharing calculator.
"""

from gongjiang.core.access import grant

STAFF = ["admin", "officer", "hr"]
grant("innovation.view_result", [*STAFF, "committee"])
grant("innovation.submit_result", [*STAFF, "worker"])
grant("innovation.review_result", STAFF)
grant("innovation.certify_effect", ["admin", "officer"])
grant("innovation.view_analytics", ["admin", "officer"])
grant("innovation.preview_share", [*STAFF, "worker"])
# award rounds: the organiser's officers run them; units below nominate; panels score through
# core.review (panel membership, not a role); everyone in the audience reads the notice
grant("innovation.view_award", ["admin", "officer", "hr"])
grant("innovation.manage_award", ["admin", "officer"])
grant("innovation.nominate", ["admin", "officer"])
# revenue sharing (收益分红): staff enter schemes and yearly figures; officers certify (never the one
# who entered, never a team member); a worker reads their own statements without a role
grant("innovation.view_revenue", STAFF)
grant("innovation.manage_revenue", STAFF)
grant("innovation.certify_revenue", ["admin", "officer"])
# studios (劳模和工匠人才创新工作室) and alliances: staff propose and run them; officers approve the
# naming at the studio's level and assess them yearly
grant("innovation.view_studio", STAFF)
grant("innovation.manage_studio", STAFF)
grant("innovation.approve_studio", ["admin", "officer"])
grant("innovation.assess_studio", ["admin", "officer"])
# the technical exchange: every logged-in member reads and posts; moderators of a subtree hide
# the posts of its members (innovation.exchange)
grant("innovation.moderate_exchange", ["admin", "officer"])
