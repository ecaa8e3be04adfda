from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reviews/<int:pk>/", views.ReportView.as_view(), name="report"),
    path("reviews/<int:pk>/easy-read/", views.EasyReadDraftView.as_view(), name="easy_read"),
    path("reviews/<int:pk>/edit/", views.DraftEditView.as_view(), name="edit"),
    path("reviews/<int:pk>/comments/", views.CommentView.as_view(), name="comment"),
    path(
        "reviews/<int:pk>/comments/<int:comment_pk>/",
        views.CommentResolveView.as_view(),
        name="comment_resolve",
    ),
    path("reviews/<int:pk>/pdfs/", views.PdfRequestView.as_view(), name="pdf_request"),
    path("reviews/<int:pk>/pdfs/status/", views.PdfStatusView.as_view(), name="pdf_status"),
    path("reviews/<int:pk>/pdfs/<int:pdf_pk>/", views.PdfDownloadView.as_view(), name="pdf"),
    path("reviews/<int:pk>/issue/", views.IssueView.as_view(), name="issue"),
    path("reviews/<int:pk>/versions/<int:number>/", views.VersionView.as_view(), name="version"),
    path(
        "reviews/<int:pk>/versions/<int:number>/easy-read/",
        views.VersionView.as_view(easy_read=True),
        name="version_easy_read",
    ),
]
