"""N: the benchmarked endpoints as a first DRF version would write them.

ModelViewSets over `ModelSerializer(depth=2)`, scoped by the URL, DRF's own limit/offset
pagination (an exact COUNT on every page) and no select/prefetch: the baseline the server is
expected to beat by a wide margin. Same authentication as the server."""

from django.urls import re_path
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from institution.models import Learner
from reports.models import ReportActivity
from vle.models import Activity, Course


def naive_serializer(model_class):
    class Serializer(serializers.ModelSerializer):
        class Meta:
            model = model_class
            fields = "__all__"
            depth = 2

    return Serializer


class NaiveCourses(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = naive_serializer(Course)
    filterset_fields = ["vle_course_id"]

    def get_queryset(self):
        return Course.objects.filter(vle_id=self.kwargs["vle_pk"]).order_by("pk")


class NaiveActivities(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = naive_serializer(Activity)
    filterset_fields = ["vle_activity_type", "vle_activity_id"]

    def get_queryset(self):
        return Activity.objects.filter(
            vle_id=self.kwargs["vle_pk"], course_id=self.kwargs["course_pk"]
        ).order_by("pk")


class NaiveLearners(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = naive_serializer(Learner)

    def get_queryset(self):
        return Learner.objects.filter(
            institution_user__institution_id=self.kwargs["institution_pk"]
        ).order_by("pk")


class NaiveReports(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = naive_serializer(ReportActivity)

    def get_queryset(self):
        return ReportActivity.objects.filter(
            activity_id=self.kwargs["activity_pk"],
            activity__course_id=self.kwargs["course_pk"],
            activity__course__vle__institution_id=self.kwargs["institution_pk"],
        ).order_by("pk")


LIST = {"get": "list"}
urlpatterns = [
    re_path(r"^api/v2/vle/(?P<vle_pk>\d+)/course/?$", NaiveCourses.as_view(LIST)),
    re_path(
        r"^api/v2/vle/(?P<vle_pk>\d+)/course/(?P<course_pk>\d+)/activity/?$",
        NaiveActivities.as_view(LIST),
    ),
    re_path(r"^api/v2/institution/(?P<institution_pk>\d+)/learner/?$", NaiveLearners.as_view(LIST)),
    re_path(
        r"^api/v2/institution/(?P<institution_pk>\d+)/course/(?P<course_pk>\d+)/activity/"
        r"(?P<activity_pk>\d+)/report/?$",
        NaiveReports.as_view(LIST),
    ),
]
