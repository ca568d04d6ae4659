"""Labels of the careers app's audit actions (added to core.audit_labels.ACTION_LABELS)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "careers.title_add": _("Professional title recorded"),
    "careers.table_create": _("Career table version created"),
    "careers.expert_level_save": _("Skill-expert level saved"),
    "careers.bridge_submit": _("Bridge application submitted"),
    "careers.bridge_decide": _("Bridge application decided"),
    "careers.honour_round_create": _("Honours round opened"),
    "careers.honour_rules_set": _("Honours composition rules set"),
    "careers.honour_quota_set": _("Honours places set"),
    "careers.honour_nominate": _("Nominated for an honour"),
    "careers.honour_withdraw": _("Honours nomination withdrawn"),
    "careers.honour_document_add": _("Nomination document attached"),
    "careers.honour_document_open": _("Nomination document opened"),
    "careers.disqualifying_record_add": _("Disqualifying record recorded"),
    "careers.honour_review_open": _("Honours review opened"),
    "careers.honour_review_finalise": _("Honours review finalised"),
    "careers.honour_notice": _("Honours public notice published"),
    "careers.honour_approve": _("Honours round approved"),
    "careers.pay_band_save": _("Pay band saved"),
    "careers.pay_bands_import": _("Pay bands imported"),
    "careers.allowance_save": _("Skill allowance saved"),
    "careers.worker_pay_save": _("Worker's pay band recorded"),
    "careers.worker_pay_read": _("Worker's pay read"),
    "careers.pay_analytics": _("Pay medians read"),
}
