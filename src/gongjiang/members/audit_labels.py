"""Audit action labels of member services (added to core.audit_labels.ACTION_LABELS at start-up)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "members.station_save": _("Service station saved"),
    "members.station_import": _("Service stations imported"),
    "members.station_checkin": _("Checked in at a service station"),
    "members.station_feedback": _("Feedback on a service station"),
    "members.station_feedback_resolve": _("Station problem report dealt with"),
    "members.activity_create": _("Activity published"),
    "members.activity_signup": _("Signed up for an activity"),
    "members.activity_cancel": _("Activity sign-up cancelled"),
    "members.activity_promote": _("Moved up from the waiting list"),
    "members.activity_checkin": _("Checked in at an activity"),
    "members.activity_feedback": _("Feedback on an activity"),
    "members.campaign_create": _("Online campaign published"),
    "members.contest_submit": _("Contest answers submitted"),
    "members.help_file": _("Help request filed"),
    "members.help_reply": _("Help request answered"),
    "members.help_note": _("Internal note on a help request"),
    "members.help_handover": _("Help request handed over"),
    "members.help_escalate": _("Help request escalated"),
    "members.help_resolve": _("Help request resolved"),
    "members.help_rate": _("Help request rated"),
    "members.article_publish": _("News or notice published"),
    "members.campaign_tallies_rebuild": _("Contest tallies rebuilt from the entries"),
    "members.campaign_update": _("Online campaign changed"),
    "members.activity_photo_add": _("Photo added to an activity"),
    "members.activity_photo_remove": _("Photo removed from an activity"),
}
