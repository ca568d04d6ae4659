"""Audit labels of the assistance app (added to core.audit_labels.ACTION_LABELS at start-up)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "assistance.standard_add": _("Minimum-living standard added"),
    "assistance.file_apply": _("Hardship file applied for"),
    "assistance.file_check": _("Hardship file checked and put on notice"),
    "assistance.file_refuse": _("Hardship file refused"),
    "assistance.file_approve": _("Hardship file approved"),
    "assistance.file_approve.refused": _("Hardship file approval refused (separation of duties)"),
    "assistance.file_correct": _("Hardship file corrected"),
    "assistance.file_view": _("Hardship file viewed"),
    "assistance.file_verify": _("Hardship file re-verified"),
    "assistance.file_exit": _("Hardship file closed (exit)"),
    "assistance.file_reenter": _("Hardship file re-entered"),
    "assistance.document_add": _("Hardship file document added"),
    "assistance.document_open": _("Hardship file document opened"),
    "assistance.consent_withdraw": _("Consent to sensitive data withdrawn"),
    "assistance.data_erase": _("Hardship data erased after consent withdrawal"),
    "assistance.file_anonymise": _("Hardship file anonymised after retention"),
    "assistance.reassess": _("Re-assessment after a standard change listed"),
    "assistance.reassess_review": _("Re-assessment reviewed"),
    "assistance.line_save": _("Support line saved"),
    "assistance.support_decide": _("Support decided"),
    "assistance.support_pay": _("Support paid"),
    "assistance.support_pay.refused": _("Support payment refused (separation of duties)"),
    "assistance.support_reverse": _("Support payment reversed"),
    "assistance.campaign_create": _("Campaign created"),
    "assistance.visit_record": _("Campaign visit recorded"),
    "assistance.report_export": _("Assistance report exported"),
}
