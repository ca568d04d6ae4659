"""Where each default of the congress rules comes from, shown beside it on the rules page.

《企业民主管理规定》(总工发〔2012〕12号, 2012-02-13). Its full official text was not at hand when the
article numbers were checked (2026-12-07, twice): an article number is given only where a published
text quoting that article under its number was found; every other source says plainly that its
article number is not verified (docs/congress.md, "Rules and their sources").

The second check followed a page offered as the full text (fsou.net, ``html/text/lar/169577/
16957738_3.html``): it is filed among that site's local regulations (``lar``, where its sister host
fsou.com keeps e.g. 《陕西省企业民主管理条例》), says 企业事务公开 where the 2012 rules say 厂务公开, and
numbers its chapters 第三章 区域、行业职工代表大会 (from 第十五条) and 第四章 职工董事和职工监事
(from 第十八条), so its 第二十条 lies among the employee directors' articles, not where the 2012
rules' majority rule (第二十条, as quoted) is. It is a local regulation: none of its numbers is used.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# setting of CongressRules -> its source
RULE_SOURCES = {
    "min_delegate_share": _(
        "《企业民主管理规定》(2012): 职工代表人数按照不少于全体职工人数的5%确定 "
        "(article number not verified)"
    ),
    "min_delegates": _("《企业民主管理规定》(2012): 最少不少于30人 (article number not verified)"),
    "negotiable_above": _(
        "《企业民主管理规定》(2012): 代表人数超过100人的，超出的代表人数可以由企业与工会协商确定 "
        "(article number not verified)"
    ),
    "max_management_share": _(
        "《企业民主管理规定》(2012): 中层以上管理人员和领导人员一般不得超过职工代表总人数的20% "
        "(article number not verified)"
    ),
    "proportion_floor": _(
        "《企业民主管理规定》(2012): 女职工和劳务派遣职工代表应有适当比例 "
        "(article number not verified)"
    ),
    "assembly_below": _(
        "Common provincial practice (职工人数100人以下的企业一般实行职工大会制度); "
        "not found in the 2012 rules"
    ),
    "quorum_numerator": _(
        "《企业民主管理规定》(2012): 应当有全体职工代表三分之二以上出席 "
        "(article number not verified)"
    ),
    "quorum_denominator": _(
        "《企业民主管理规定》(2012): 应当有全体职工代表三分之二以上出席 "
        "(article number not verified)"
    ),
    "cosigners_required": _("Local practice (issue #14, 附议); not a number of the 2012 rules"),
    "reply_days": _("Local practice (issue #14); not a number of the 2012 rules"),
    "reminder_days": _("Local practice, as for reform tasks; not a number of the 2012 rules"),
}

# rules the app applies without a setting: (key, rule, source)
FIXED_RULES = (
    (
        "term",
        _("a term lasts three to five years"),
        _(
            "《企业民主管理规定》(2012): 职工代表大会每届任期为三至五年 (article number not verified)"
        ),
    ),
    (
        "sessions",
        _("at least one session a year"),
        _("《企业民主管理规定》(2012): 职工代表大会每年至少召开一次 (article number not verified)"),
    ),
    (
        "majority",
        _("a vote passes with more than half of all delegates (not of those present)"),
        _(
            "《企业民主管理规定》(2012) 第二十条: 职工代表大会选举和表决相关事项，必须按照少数服从多数"
            "的原则，经全体职工代表的过半数通过 (article number as quoted by two published "
            "legal Q&A pages; not checked against the official gazette)"
        ),
    ),
)
