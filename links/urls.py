from django.urls import path

from . import views

app_name = "links"

urlpatterns = [
    path("l/<str:token>/", views.LinkUseView.as_view(), name="use"),
    path(
        "links/recommendations/<int:pk>/",
        views.RecommendationLinksView.as_view(),
        name="recommendation",
    ),
    path("links/reviews/<int:pk>/", views.ReviewLettersView.as_view(), name="review_letters"),
    path(
        "links/participants/<int:pk>/reach/",
        views.ParticipantReachView.as_view(),
        name="participant_reach",
    ),
    path(
        "links/participants/<int:pk>/letters/",
        views.LetterMakeView.as_view(),
        name="letter_make",
    ),
    path("links/letters/<int:pk>/pdf/", views.LetterPdfView.as_view(), name="letter_pdf"),
    path(
        "links/letters/<int:pk>/hand-over/",
        views.LetterHandoverView.as_view(),
        name="letter_handover",
    ),
]
