from django.urls import path

from . import views

app_name = "panels"

urlpatterns = [
    # A panel member's own workbook
    path("reviews/<int:pk>/workbook/", views.WorkbookView.as_view(), name="workbook"),
    path(
        "reviews/<int:pk>/workbook/kloe/<int:number>/",
        views.KloeAnswerView.as_view(),
        name="workbook_kloe",
    ),
    path(
        "reviews/<int:pk>/workbook/key-questions/",
        views.KeyQuestionsView.as_view(),
        name="workbook_key_questions",
    ),
    path(
        "reviews/<int:pk>/workbook/submit/",
        views.WorkbookSubmitView.as_view(),
        name="workbook_submit",
    ),
    # The chair
    path("reviews/<int:pk>/panel/", views.ConsolidationView.as_view(), name="consolidation"),
    path(
        "reviews/<int:pk>/panel/kloe/<int:number>/",
        views.ConsolidateKloeView.as_view(),
        name="consolidation_kloe",
    ),
    path(
        "reviews/<int:pk>/panel/finish/",
        views.ConsolidationFinishView.as_view(),
        name="consolidation_finish",
    ),
    path(
        "reviews/<int:pk>/panel/workbooks/<int:workbook_pk>/reopen/",
        views.WorkbookReopenView.as_view(),
        name="workbook_reopen",
    ),
    # Concerns, findings, the provider's part
    path("reviews/<int:pk>/concerns/", views.ConcernListView.as_view(), name="concerns"),
    path(
        "reviews/<int:pk>/concerns/<int:concern_pk>/",
        views.ConcernResolveView.as_view(),
        name="concern_resolve",
    ),
    path("reviews/<int:pk>/findings/", views.FindingsView.as_view(), name="findings"),
    path("reviews/<int:pk>/provider/", views.ProviderPartView.as_view(), name="provider_part"),
]
