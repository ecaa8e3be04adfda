"""Panels: the KLOE question sets, read-only. A new version arrives by data migration, so a set
a review already uses never changes. Workbooks are not in the admin: they hold what the panel
learnt about a person."""

from django.contrib import admin

from ctr_portal.admin import ReadOnlyAdmin, ReadOnlyMixin

from .models import Kloe, KloePrompt, KloeSet


class KloeInline(ReadOnlyMixin, admin.TabularInline):
    model = Kloe
    fields = ["audience", "number", "title"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class KloePromptInline(KloeInline):
    model = KloePrompt
    fields = ["position", "scope", "text", "where_to_look"]
    readonly_fields = fields
    show_change_link = False


@admin.register(KloeSet)
class KloeSetAdmin(ReadOnlyAdmin):
    list_display = ["version", "published_on"]
    inlines = [KloeInline]


@admin.register(Kloe)
class KloeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "audience", "kloe_set"]
    list_filter = ["kloe_set", "audience"]
    inlines = [KloePromptInline]


@admin.register(KloePrompt)
class KloePromptAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kloe", "scope"]
    list_filter = ["kloe__kloe_set", "kloe__audience", "scope"]
    search_fields = ["text"]
