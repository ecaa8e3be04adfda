from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
    path("words/", views.HardWordsView.as_view(), name="words"),
    path("reviews/<int:pk>/", views.PortalReviewView.as_view(), name="review"),
    path("reviews/<int:pk>/ask/", views.RequestCreateView.as_view(), name="ask"),
    path("reviews/<int:pk>/feedback/", views.FeedbackView.as_view(), name="feedback"),
    path(
        "reviews/<int:pk>/feedback/answers/",
        views.ReviewFeedbackView.as_view(),
        name="review_feedback",
    ),
    path("about-your-review/", views.AboutYourReviewView.as_view(), name="about_your_review"),
    path("reviews/<int:pk>/booklets/", views.BookletsView.as_view(), name="booklets"),
    path("reviews/<int:pk>/planner/", views.PlannerView.as_view(), name="planner"),
    path("reviews/<int:pk>/planner/pdf/", views.PlannerPdfView.as_view(), name="planner_pdf"),
    path(
        "reviews/<int:pk>/planner/<slug:slug>/",
        views.PlannerQuestionView.as_view(),
        name="planner_question",
    ),
    path("requests/", views.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("feedback/", views.FeedbackSummaryView.as_view(), name="feedback_summary"),
]
