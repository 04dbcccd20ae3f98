"""Admin site for institutions and their people."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from institution.models import (
    ADMIN_FLAGS,
    CourseGroup,
    InformedConsent,
    InformedConsentDocument,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    SENDCategory,
    SENDLearner,
    UIOption,
    User,
)


class InstitutionUserInline(admin.TabularInline):
    model = InstitutionUser
    fk_name = "institution"
    fields = (
        "user",
        "uid",
        "login_allowed",
        *ADMIN_FLAGS,
    )
    raw_id_fields = ("user",)
    extra = 0
    show_change_link = True


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("id", "acronym", "name", "external_ic", "mail_domain", "created_at")
    search_fields = ("acronym", "name", "mail_domain")
    list_filter = ("external_ic", "allow_learner_report", "allow_learner_audit")
    inlines = [InstitutionUserInline]


class MembershipInline(admin.StackedInline):
    model = InstitutionUser
    fk_name = "user"
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("id", "username", "email", "first_name", "last_name", "is_staff", "is_active")
    inlines = [MembershipInline]


@admin.register(InstitutionUser)
class InstitutionUserAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "institution",
        "uid",
        "login_allowed",
        *ADMIN_FLAGS,
    )
    list_filter = ("institution", *ADMIN_FLAGS)
    search_fields = ("uid", "user__username", "user__email")
    list_select_related = ("user", "institution")
    raw_id_fields = ("user",)


class SENDLearnerInline(admin.TabularInline):
    model = SENDLearner
    extra = 0
    raw_id_fields = ("category",)


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "learner_id", "consent", "consent_accepted", "joined_at")
    list_filter = ("institution_user__institution",)
    search_fields = (
        "learner_id",
        "institution_user__uid",
        "institution_user__user__email",
        "institution_user__user__first_name",
        "institution_user__user__last_name",
    )
    list_select_related = ("institution_user__user", "consent")
    raw_id_fields = ("institution_user", "consent")
    readonly_fields = ("learner_id",)
    inlines = [SENDLearnerInline]


@admin.register(Instructor)
class InstructorAdmin(admin.ModelAdmin):
    list_display = ("institution_user", "created_at")
    list_filter = ("institution_user__institution",)
    search_fields = ("institution_user__uid", "institution_user__user__email")
    list_select_related = ("institution_user__user",)
    raw_id_fields = ("institution_user",)


class InformedConsentDocumentInline(admin.StackedInline):
    model = InformedConsentDocument
    extra = 0


@admin.register(InformedConsent)
class InformedConsentAdmin(admin.ModelAdmin):
    list_display = ("id", "institution", "version", "valid_from")
    list_filter = ("institution",)
    search_fields = ("version",)
    inlines = [InformedConsentDocumentInline]


@admin.register(InformedConsentDocument)
class InformedConsentDocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "consent", "language")
    list_filter = ("language",)
    list_select_related = ("consent",)


@admin.register(SENDCategory)
class SENDCategoryAdmin(admin.ModelAdmin):
    list_display = ("id", "institution", "description")
    list_filter = ("institution",)
    search_fields = ("description",)


@admin.register(SENDLearner)
class SENDLearnerAdmin(admin.ModelAdmin):
    list_display = ("id", "learner", "category", "expires_at")
    raw_id_fields = ("learner", "category")


class ChildGroupInline(admin.TabularInline):
    model = CourseGroup
    fk_name = "parent"
    fields = ("name", "description")
    extra = 0
    show_change_link = True


@admin.register(CourseGroup)
class CourseGroupAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "institution", "parent")
    list_filter = ("institution",)
    search_fields = ("name", "description")
    raw_id_fields = ("parent",)
    inlines = [ChildGroupInline]


@admin.register(UIOption)
class UIOptionAdmin(admin.ModelAdmin):
    list_display = ("id", "route", "enabled", "roles", "institution", "user")
    list_filter = ("enabled", "institution")
    search_fields = ("route", "roles")
    raw_id_fields = ("user",)
