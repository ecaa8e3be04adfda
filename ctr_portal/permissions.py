"""Every permission name in the project, in one place. Each app's rules.py gives each its rule;
views, templates and query functions name them only through these constants."""

from enum import StrEnum


class Perm(StrEnum):
    # ctr_portal
    VIEW_DASHBOARD = "ctr_portal.view_dashboard"
    VIEW_ORGANISATION = "ctr_portal.view_organisation"
    ADMINISTER = "ctr_portal.administer"

    # reviews: people
    ADD_PERSON = "reviews.add_person"
    VIEW_PERSON = "reviews.view_person"
    CHANGE_PERSON = "reviews.change_person"
    # reviews: the review
    LIST_REVIEWS = "reviews.list_reviews"
    BROWSE_REVIEWS = "reviews.browse_reviews"  # the header's "Reviews": not the person's
    VIEW_REVIEW = "reviews.view_review"
    VIEW_REVIEW_DETAILS = "reviews.view_review_details"
    MANAGE_REVIEW = "reviews.manage_review"
    VIEW_CONSENT = "reviews.view_consent"
    DECLARE_INDEPENDENCE = "reviews.declare_independence"
    VIEW_COMMISSIONER_DASHBOARD = "reviews.view_commissioner_dashboard"
    # reviews: moving a person's record to another commissioner
    REQUEST_TRANSFER = "reviews.request_transfer"
    DECIDE_TRANSFER = "reviews.decide_transfer"

    # documents (add below this line)
    VIEW_PACK = "documents.view_pack"
    VIEW_PACK_ACCESS_LOG = "documents.view_pack_access_log"
    VIEW_PACK_ITEM = "documents.view_pack_item"
    CHANGE_PACK_ITEM = "documents.change_pack_item"
    ASSIGN_PACK_ITEM = "documents.assign_pack_item"
    VIEW_DOCUMENT = "documents.view_document"
    DOWNLOAD_DOCUMENT = "documents.download_document"

    # panels (add below this line)
    FILL_WORKBOOK = "panels.fill_workbook"
    CONSOLIDATE = "panels.consolidate"
    VIEW_FINDINGS = "panels.view_findings"
    VIEW_CONCERNS = "panels.view_concerns"
    SEE_OPEN_CONCERNS = "panels.see_open_concerns"
    RESOLVE_CONCERN = "panels.resolve_concern"
    COMPLETE_PROVIDER_PART = "panels.complete_provider_part"

    # reports
    VIEW_REPORT = "reports.view_report"
    VIEW_REPORT_DRAFT = "reports.view_report_draft"
    EDIT_REPORT = "reports.edit_report"
    COMMENT_ON_REPORT = "reports.comment_on_report"
    VIEW_ISSUED_REPORT = "reports.view_issued_report"

    # recommendations (add below this line)
    VIEW_REVIEW_RECOMMENDATIONS = "recommendations.view_review_recommendations"
    WRITE_RECOMMENDATIONS = "recommendations.write_recommendations"
    RECORD_FOLLOW_UP = "recommendations.record_follow_up"
    VIEW_RECOMMENDATION = "recommendations.view_recommendation"
    MANAGE_RECOMMENDATION = "recommendations.manage_recommendation"
    RESPOND_TO_RECOMMENDATION = "recommendations.respond_to_recommendation"
    UPDATE_RECOMMENDATION = "recommendations.update_recommendation"
    ESCALATE_RECOMMENDATION = "recommendations.escalate_recommendation"
    VIEW_MY_ACTIONS = "recommendations.view_my_actions"
    VIEW_TRACKER = "recommendations.view_tracker"
    VIEW_ESCALATED = "recommendations.view_escalated"
    ACT_ON_ESCALATION = "recommendations.act_on_escalation"
    CHECK_RECOMMENDATION_DONE = "recommendations.check_recommendation_done"
    REOPEN_RECOMMENDATION = "recommendations.reopen_recommendation"

    # portal (add below this line)
    USE_PORTAL = "portal.use_portal"
    VIEW_PORTAL_REVIEW = "portal.view_portal_review"
    VIEW_PORTAL_DETAILS = "portal.view_portal_details"
    ASK_FOR_REVIEW = "portal.ask_for_review"
    SEND_FOR_PERSON = "portal.send_for_person"
    GIVE_FEEDBACK = "portal.give_feedback"
    VIEW_FEEDBACK = "portal.view_feedback"
    VIEW_FEEDBACK_SUMMARY = "portal.view_feedback_summary"
    LIST_REQUESTS = "portal.list_requests"
    ANSWER_REQUEST = "portal.answer_request"
    FILL_PLANNER = "portal.fill_planner"
    VIEW_PLANNER = "portal.view_planner"
    RECORD_BOOKLETS = "portal.record_booklets"

    # oversight (add below this line)
    VIEW_OVERSIGHT_VISITS = "oversight.view_visits"
    RECORD_OVERSIGHT_VISIT = "oversight.record_visit"
    LIST_OVERSIGHT_VISITS = "oversight.list_visits"
    VIEW_AT_RETURN = "oversight.view_at_return"
    VIEW_MHSDS_RETURN = "oversight.view_mhsds_return"

    # metrics (add below this line)
    VIEW_METRICS = "metrics.view_metrics"
