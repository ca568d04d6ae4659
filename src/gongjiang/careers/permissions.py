"""Permissions this app grants to roles (see gongjiang.core.access).

* ``careers.view`` — see the careers of the workers in one's subtree: titles, standing, the bridge,
  applications and the enterprise's career tables (a worker always sees their own career page).
* ``careers.apply`` — file a bridge application for a worker in one's subtree.
* ``careers.decide`` — approve or reject bridge applications (never one's own: core.duties).
* ``careers.manage`` — record professional titles; edit the enterprise's career table (forward
  only) and its skill-expert levels.

Enterprise human resources (``hr``) run careers; admins may do everything; union officers follow
and file applications.
"""

from gongjiang.core.access import grant

grant("careers.view", ["admin", "officer", "hr"])
grant("careers.apply", ["admin", "officer", "hr"])
grant("careers.decide", ["admin", "hr"])
grant("careers.manage", ["admin", "hr"])

# honours selection: union officers organise rounds and nominate from their units; the level above
# the organiser approves (core.duties keeps out whoever took part)
grant("careers.honours_manage", ["admin", "officer"])
grant("careers.honours_nominate", ["admin", "officer"])
grant("careers.honours_approve", ["admin", "officer"])

# skill-linked pay: bands and allowances are managed like the career table; the medians by skill
# level are seen by hr and admins; individual pay only by the hr role of the enterprise subtree
grant("careers.pay_analytics", ["admin", "hr"])
grant("careers.pay_individual", ["hr"])

# worker programmes (求学圆梦行动 …): union officers run them for their subtree; cadres and enterprise
# hr file applications for their workers (a worker applies for themselves without a role)
grant("careers.programmes_view", ["admin", "officer", "hr"])
grant("careers.programmes_apply", ["admin", "officer", "hr"])
grant("careers.programmes_manage", ["admin", "officer"])

# the enterprise new-style apprenticeship (企业新型学徒制): officers above designate pilots and approve
# and pay the subsidy claims; enterprise hr runs cohorts, apprentices, plans and claims; trainers
# follow; rules are set by whoever runs the subtree (the subsidy only above the enterprise)
grant("careers.apprentice_view", ["admin", "officer", "hr", "trainer"])
grant("careers.apprentice_manage", ["admin", "officer", "hr"])
grant("careers.apprentice_rules", ["admin", "officer", "hr"])
grant("careers.apprentice_pilot", ["admin", "officer"])
grant("careers.apprentice_approve", ["admin", "officer"])

# expert-level selection (技能专家评聘): enterprise hr and union officers run the call and its review,
# and file applications for workers (a worker applies for themself without a role); appointment
# is by someone of the enterprise's subtree who took no part in the call (core.duties)
grant("careers.experts_manage", ["admin", "officer", "hr"])
grant("careers.experts_apply", ["admin", "officer", "hr"])
grant("careers.experts_appoint", ["admin", "officer", "hr"])
# enterprise hr run the review round (core.review) and the public notice (core.notices) of their
# enterprise's expert selection, as officers do for honours
grant("core.change_reviewround", ["hr"])
grant("core.change_publicnotice", ["hr"])
grant("core.view_noticeobjection", ["hr"])
