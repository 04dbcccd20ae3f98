"""Admin site for the core tables."""

from django.contrib import admin

from tesla.models import Job, RevokedLogin

admin.site.site_header = "TeSLA administration"
admin.site.site_title = "TeSLA"


@admin.register(RevokedLogin)
class RevokedLoginAdmin(admin.ModelAdmin):
    list_display = ("sid", "revoked_at", "expires_at")
    search_fields = ("sid",)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Pending background work (the outbox). Rows go when their work is done; an operator can
    delete one by hand to give up on it."""

    list_display = ("task", "queue", "key", "attempts", "next_attempt_at", "created_at")
    list_filter = ("queue", "task")
    search_fields = ("key", "task")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
