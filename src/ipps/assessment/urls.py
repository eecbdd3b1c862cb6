from django.urls import path

from ipps.assessment import views

app_name = "assessment"

urlpatterns = [
    path("assessment/", views.index, name="index"),
    path("assessment/schemes/import/", views.scheme_import, name="scheme_import"),
    path("assessment/schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("assessment/schemes/<int:pk>/scheme.yaml", views.scheme_yaml, name="scheme_yaml"),
    path("assessment/schemes/<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("assessment/schemes/<int:pk>/replace/", views.scheme_replace, name="scheme_replace"),
    path("assessment/evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path(
        "assessment/evaluations/<int:pk>/self-assessment/",
        views.evaluation_self_score,
        name="self_score",
    ),
    path("assessment/evaluations/<int:pk>/review/", views.evaluation_review, name="review"),
    path("assessment/evaluations/<int:pk>/appeal/", views.appeal_file, name="appeal"),
    path(
        "assessment/evaluations/<int:pk>/publish/",
        views.evaluation_publish,
        name="evaluation_publish",
    ),
    path("assessment/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("funding/", views.plan_list, name="plans"),
    path("funding/new/", views.plan_create, name="plan_create"),
    path("funding/<int:pk>/", views.plan_detail, name="plan"),
    path("funding/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("funding/<int:pk>/simulate/", views.plan_simulate, name="plan_simulate"),
    path("funding/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("funding/<int:pk>/export.xlsx", views.plan_xlsx, name="plan_xlsx"),
]
