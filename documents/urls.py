from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("reviews/<int:pk>/", views.PackView.as_view(), name="pack"),
    path("items/<int:pk>/", views.ItemView.as_view(), name="item"),
    path("items/<int:pk>/upload/", views.ItemUploadView.as_view(), name="item_upload"),
    path("items/<int:pk>/status/", views.ItemSettleView.as_view(), name="item_settle"),
    path("items/<int:pk>/assign/", views.ItemAssignView.as_view(), name="item_assign"),
    path("files/<int:pk>/", views.DocumentView.as_view(), name="document"),
    path("files/<int:pk>/inline/", views.DocumentFileView.as_view(), name="document_file"),
    path("files/<int:pk>/pdf/", views.DocumentRenditionView.as_view(), name="document_rendition"),
    path(
        "files/<int:pk>/download/", views.DocumentDownloadView.as_view(), name="document_download"
    ),
    path("files/<int:pk>/replace/", views.DocumentReplaceView.as_view(), name="document_replace"),
    path("files/<int:pk>/delete/", views.DocumentDeleteView.as_view(), name="document_delete"),
]
