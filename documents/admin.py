"""Documents: admin registrations. Checklist templates are reference data: administrators read
them here; a change of policy is a new version, made by a data migration."""

from django.contrib import admin

from ctr_portal.admin import ReadOnlyMixin

from .models import ChecklistItem, ChecklistTemplate


class ChecklistItemInline(ReadOnlyMixin, admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "title", "hint", "responsible", "core", "is_planner", "ages"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "applies_to", "published_on"]
    list_filter = ["applies_to"]
    inlines = [ChecklistItemInline]
    readonly_fields = ["code", "version", "name", "applies_to", "source", "published_on"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
