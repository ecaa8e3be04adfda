from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<int:pk>/", views.OrganisationView.as_view(), name="organisation"),
    path("<int:pk>/<slug:measure>/", views.MeasureRowsView.as_view(), name="rows"),
]
