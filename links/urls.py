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
]
