"""Admin site for VLEs, instruments, courses, activities, sessions and launchers."""

from django.contrib import admin

from institution.admin import InstitutionAdmin
from vle.models import (
    VLE,
    Activity,
    ActivityInstrument,
    AssessmentSession,
    Course,
    Instrument,
    Launcher,
)


class InstitutionVLEInline(admin.TabularInline):
    model = VLE
    fields = ("name", "type", "url", "client_id")
    extra = 0
    show_change_link = True


# The institution page lists its VLEs; the inline is added from here because the vle app
# depends on the institution app, not the other way round.
InstitutionAdmin.inlines = [*InstitutionAdmin.inlines, InstitutionVLEInline]


@admin.register(VLE)
class VLEAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "type", "institution", "url", "role_id")
    list_filter = ("type", "institution")
    search_fields = ("name", "url", "role_id")
    readonly_fields = ("role_id",)
    list_select_related = ("institution",)


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("id", "acronym", "name", "enabled", "requires_enrolment", "identity")
    list_filter = ("enabled", "requires_enrolment", "identity", "originality", "authorship")
    search_fields = ("acronym", "name", "queue")


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ("vle_activity_type", "vle_activity_id", "name", "enabled", "start", "end")
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("id", "code", "vle_course_id", "vle", "start", "end")
    list_filter = ("vle__institution", "vle")
    search_fields = ("code", "vle_course_id", "description")
    list_select_related = ("vle",)
    filter_horizontal = ("groups",)
    raw_id_fields = ("learners", "instructors")
    inlines = [ActivityInline]


class ActivityInstrumentInline(admin.TabularInline):
    model = ActivityInstrument
    fk_name = "activity"
    fields = ("instrument", "active", "alternative_to", "options")
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "vle_activity_type", "vle_activity_id", "course", "enabled")
    list_filter = ("enabled", "vle_activity_type", "vle")
    search_fields = ("name", "vle_activity_id", "course__code")
    list_select_related = ("course",)
    raw_id_fields = ("course",)
    inlines = [ActivityInstrumentInline]


@admin.register(ActivityInstrument)
class ActivityInstrumentAdmin(admin.ModelAdmin):
    list_display = ("id", "activity", "instrument", "active", "alternative_to")
    list_filter = ("active", "instrument")
    raw_id_fields = ("activity", "alternative_to")


@admin.register(AssessmentSession)
class AssessmentSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "activity", "learner", "started_at", "closed_at", "auto_closed")
    list_filter = ("auto_closed",)
    raw_id_fields = ("activity", "learner")
    readonly_fields = ("access_key", "plugin_config")


@admin.register(Launcher)
class LauncherAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "target", "session", "expires_at")
    list_filter = ("target",)
    raw_id_fields = ("user", "session")
    readonly_fields = ("token",)
