from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("visits/", views.VisitsDueView.as_view(), name="visits_due"),
    path("people/<int:pk>/visits/", views.PersonVisitsView.as_view(), name="person_visits"),
    path("people/<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("people/<int:pk>/home-area/", views.HomeAreaView.as_view(), name="home_area"),
    path("people/<int:pk>/return-items/", views.ReturnItemsView.as_view(), name="return_items"),
    path("returns/assuring-transformation/", views.AtPageView.as_view(), name="at"),
    path("returns/assuring-transformation.csv", views.AtCsvView.as_view(), name="at_csv"),
    path("returns/mhsds/", views.MhsdsPageView.as_view(), name="mhsds"),
    path("returns/mhsds.csv", views.MhsdsCsvView.as_view(), name="mhsds_csv"),
]
