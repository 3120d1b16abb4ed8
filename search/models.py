"""Search's own tables: the database backend's documents and users' saved searches.

`SearchEntry` is derived data, like the Elasticsearch indices: rebuilt from PostgreSQL by the
same pipeline, never edited by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One index document of the database backend, with its words for matching."""

    kind = models.CharField(max_length=16, verbose_name=_("kind"))
    object_id = models.BigIntegerField(verbose_name=_("object ID"))
    # " word word ... " (jieba words of every text field, lowercased, padded with spaces) so that
    # a word matches with `contains=" word "`, never inside a longer word.
    words = models.TextField(verbose_name=_("words"))
    # The raw texts, lowercased: a phrase query matches here as the standard field's phrase does.
    text = models.TextField(verbose_name=_("text"))
    doc = models.JSONField(verbose_name=_("doc"))
    digest = models.CharField(max_length=32, verbose_name=_("digest"))
    indexed_at = models.DateTimeField(auto_now=True, verbose_name=_("indexed at"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SavedSearch(models.Model):
    """A provider's saved task search; a new task that matches it sends a notification."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    # The query as search.query.TaskQuery.to_params() writes it (text, kinds, skills, ...).
    params = models.JSONField(_("filters"), default=dict)
    alerts = models.BooleanField(_("notify me of new matching tasks"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
