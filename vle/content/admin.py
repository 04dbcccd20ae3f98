"""Admin site for the Course Service. What an import computed (activity tree, files, job
results, recorded statements) is read-only: it is changed by importing again, not by hand."""

from django.contrib import admin

from vle.content.models import (
    Course,
    CourseFile,
    CourseSetting,
    CourseTag,
    CourseVersion,
    ImportJob,
    PreviewDocument,
    PreviewSession,
    Statement,
)


class ComputedAdmin(admin.ModelAdmin):
    """Rows written by imports and players: shown (every field, unless `readonly_fields`
    names some), never added or edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields or [field.name for field in self.model._meta.fields]


class ComputedInline(admin.TabularInline):
    """Computed rows shown under their owner: its `fields`, read-only, none added here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CourseTagInline(admin.TabularInline):
    model = CourseTag
    extra = 0


class CourseVersionInline(ComputedInline):
    model = CourseVersion
    fields = ("version", "title", "learning_standard", "launch_path", "created_at")
    show_change_link = True


@admin.register(Course)
class ContentCourseAdmin(admin.ModelAdmin):
    list_display = ("id", "course_id", "title", "vle", "created_at", "updated_at")
    list_filter = ("vle__institution", "vle")
    search_fields = ("course_id", "title")
    list_select_related = ("vle",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [CourseTagInline, CourseVersionInline]


@admin.register(CourseVersion)
class CourseVersionAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "version", "title", "learning_standard", "created_at")
    list_filter = ("learning_standard", "course__vle")
    search_fields = ("course__course_id", "title")
    list_select_related = ("course",)
    readonly_fields = (
        "course",
        "version",
        "learning_standard",
        "xapi_activity_id",
        "metadata",
        "root_activity",
        "launch_path",
        "storage_folder",
        "content_type",
        "reference_url",
        "parser_warnings",
        "languages",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CourseFile)
class CourseFileAdmin(ComputedAdmin):
    list_display = ("id", "version", "path", "size", "modified")
    search_fields = ("path", "version__course__course_id")
    list_select_related = ("version__course",)
    readonly_fields = ("version", "path", "size", "modified")


@admin.register(CourseTag)
class CourseTagAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "course")
    search_fields = ("name", "course__course_id")
    list_select_related = ("course",)
    raw_id_fields = ("course",)


@admin.register(CourseSetting)
class CourseSettingAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "version", "setting_id", "value")
    list_filter = ("setting_id",)
    search_fields = ("course__course_id", "setting_id")
    list_select_related = ("course", "version")
    raw_id_fields = ("course", "version")


@admin.register(ImportJob)
class ImportJobAdmin(ComputedAdmin):
    list_display = ("id", "vle", "course_id", "source", "status", "progress", "created_at")
    list_filter = ("status", "source", "vle")
    search_fields = ("id", "course_id", "source_url")
    list_select_related = ("vle",)


@admin.register(Statement)
class StatementAdmin(ComputedAdmin):
    list_display = ("id", "course", "version", "learner_id", "verb", "stored")
    list_filter = ("course__vle",)
    search_fields = ("id", "learner_id", "verb", "activity_id", "course__course_id")
    list_select_related = ("course", "version__course")
    date_hierarchy = "stored"


# --- Preview player ------------------------------------------------------------------------


class PreviewDocumentInline(ComputedInline):
    model = PreviewDocument
    fields = ("kind", "document_id", "content_type", "updated_at")


@admin.register(PreviewSession)
class PreviewSessionAdmin(ComputedAdmin):
    """Preview sessions are opened by preview links and end by themselves; nothing to edit."""

    list_display = ("registration", "version", "created_at", "expires_at", "token_fetched_at")
    list_filter = ("version__course__vle",)
    search_fields = ("registration", "version__course__course_id")
    list_select_related = ("version__course",)
    inlines = [PreviewDocumentInline]


@admin.register(PreviewDocument)
class PreviewDocumentAdmin(ComputedAdmin):
    list_display = ("id", "session", "kind", "document_id", "content_type", "updated_at")
    list_filter = ("kind",)
    search_fields = ("document_id", "session__registration")
    list_select_related = ("session",)
