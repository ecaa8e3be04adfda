from django.urls import path

from .views import demographics, participation, people, reviews, transfers

app_name = "reviews"

urlpatterns = [
    # People
    path("people/", people.PersonListView.as_view(), name="person_list"),
    path("people/new/", people.PersonCreateView.as_view(), name="person_create"),
    path("people/new/check/", demographics.PersonRegisterCheckView.as_view(),
         name="person_register_check"),
    path("people/<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", people.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/pds/", demographics.PersonPdsView.as_view(), name="person_pds"),
    path(
        "people/<int:pk>/contacts/new/",
        people.ContactCreateView.as_view(),
        name="person_contact_create",
    ),
    path("people/<int:pk>/rating/", people.DsrRatingView.as_view(), name="person_dsr"),
    path("people/<int:pk>/setting/", people.SettingChangeView.as_view(), name="person_setting"),
    path("people/<int:pk>/laep/", people.LaepCreateView.as_view(), name="person_laep"),
    path(
        "people/<int:pk>/diagnosis-removed/",
        people.DiagnosisRemovedView.as_view(),
        name="person_diagnosis_removed",
    ),
    path("people/<int:pk>/root-cause/", people.RootCauseView.as_view(), name="person_root_cause"),
    path(
        "people/<int:pk>/segregation/", people.SegregationView.as_view(), name="person_segregation"
    ),
    path(
        "people/<int:pk>/restraint/",
        people.RestrictivePracticeView.as_view(),
        name="person_restrictive_practice",
    ),
    # Moving a person's record to another commissioner
    path("transfers/new/", transfers.TransferRequestView.as_view(), name="transfer_request"),
    path("transfers/sent/", transfers.TransferSentView.as_view(), name="transfer_sent"),
    path("transfers/<int:pk>/", transfers.TransferDecideView.as_view(), name="transfer_decide"),
    path("people/<int:pk>/reviews/new/", reviews.ReviewPlanView.as_view(), name="review_plan"),
    # Reviews
    path("reviews/", reviews.ReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", reviews.ReviewDetailView.as_view(), name="review_detail"),
    path(
        "reviews/<int:pk>/schedule/", reviews.ReviewScheduleView.as_view(), name="review_schedule"
    ),
    path("reviews/<int:pk>/agenda/", reviews.AgendaEditView.as_view(), name="review_agenda"),
    path(
        "reviews/<int:pk>/state/", reviews.ReviewTransitionView.as_view(), name="review_transition"
    ),
    path(
        "reviews/<int:pk>/calendar.ics",
        reviews.ReviewCalendarView.as_view(),
        name="review_calendar",
    ),
    # Consent and participants
    path(
        "reviews/<int:pk>/consent/",
        participation.ConsentRecordView.as_view(),
        name="review_consent",
    ),
    path(
        "reviews/<int:pk>/consent/form/",
        participation.ConsentFormView.as_view(),
        name="review_consent_form",
    ),
    path(
        "reviews/<int:pk>/participants/new/",
        participation.ParticipantAddView.as_view(),
        name="review_participant_add",
    ),
    path(
        "reviews/<int:pk>/attendance/",
        participation.AttendanceView.as_view(),
        name="review_attendance",
    ),
    path(
        "reviews/<int:pk>/independence/",
        participation.IndependenceView.as_view(),
        name="review_independence",
    ),
    path(
        "invitations/<str:token>/",
        participation.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]
