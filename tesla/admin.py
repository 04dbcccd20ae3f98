"""Admin site for the core tables."""

from django.contrib import admin

from tesla.models import RevokedLogin

admin.site.site_header = "TeSLA administration"
admin.site.site_title = "TeSLA"


@admin.register(RevokedLogin)
class RevokedLoginAdmin(admin.ModelAdmin):
    list_display = ("sid", "revoked_at", "expires_at")
    search_fields = ("sid",)
