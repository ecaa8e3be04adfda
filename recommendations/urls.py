from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    # A review's recommendations
    path(
        "reviews/<int:pk>/recommendations/",
        views.ReviewRecommendationsView.as_view(),
        name="review",
    ),
    path(
        "reviews/<int:pk>/recommendations/new/",
        views.RecommendationCreateView.as_view(),
        name="create",
    ),
    path(
        "reviews/<int:pk>/recommendations/from-suggestion/<int:carried_pk>/",
        views.DraftFromSuggestionView.as_view(),
        name="draft_from_suggestion",
    ),
    path(
        "reviews/<int:pk>/follow-up-check/",
        views.FollowUpView.as_view(),
        name="follow_up",
    ),
    # One recommendation
    path("<int:pk>/", views.RecommendationDetailView.as_view(), name="detail"),
    path("<int:pk>/change/", views.RecommendationEditView.as_view(), name="edit"),
    path("<int:pk>/send/", views.SendView.as_view(), name="send"),
    path("<int:pk>/respond/", views.RespondView.as_view(), name="respond"),
    path("<int:pk>/resolve/", views.ResolveView.as_view(), name="resolve"),
    path("<int:pk>/progress/", views.ProgressView.as_view(), name="progress"),
    path("<int:pk>/done/", views.DoneView.as_view(), name="done"),
    path("<int:pk>/check-done/", views.CheckDoneView.as_view(), name="check"),
    path("<int:pk>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path(
        "<int:pk>/not-achieved/",
        views.NotAchievedView.as_view(),
        name="not_achieved",
    ),
    path("<int:pk>/due-date/", views.DueDateView.as_view(), name="due_date"),
    path("<int:pk>/supersede/", views.SupersedeView.as_view(), name="supersede"),
    path("<int:pk>/escalate/", views.EscalateView.as_view(), name="escalate"),
    path(
        "<int:pk>/escalation/decision/",
        views.EscalationDecisionView.as_view(),
        name="escalation_decision",
    ),
    path(
        "<int:pk>/escalation/action/",
        views.EscalationActionView.as_view(),
        name="escalation_action",
    ),
    path(
        "<int:pk>/escalation/close/",
        views.EscalationCloseView.as_view(),
        name="escalation_close",
    ),
    path(
        "<int:pk>/evidence/<int:file_pk>/",
        views.EvidenceDownloadView.as_view(),
        name="evidence",
    ),
    # Lists
    path("my-actions/", views.MyActionsView.as_view(), name="my_actions"),
    path("tracker/", views.TrackerView.as_view(), name="tracker"),
    path("tracker.csv", views.TrackerCsvView.as_view(), name="tracker_csv"),
    path("escalated/", views.EscalatedView.as_view(), name="escalated"),
]
