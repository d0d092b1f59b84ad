"""The analysis of one rating's comment (one row per rating that has a comment)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from central.ratings.models import Rating

SENTIMENTS = ("pos", "neu", "neg", "q")
TOPIC_FIELDS = {
    "process": "t_process",
    "staff": "t_staff",
    "facilities": "t_facilities",
    "outcome": "t_outcome",
    "waiting": "t_waiting",
    "documents": "t_documents",
}


class CommentAnalysis(models.Model):
    """Sentiment, topics (one boolean each: cheap to count), junk flag and No Copy
    evidence of ``rating.comment``. ``rating`` has no database constraint
    (``db_constraint=False``) so the ratings table may be partitioned by month on
    PostgreSQL; deleting a rating through Django still deletes its analysis.

    ``junk`` is the current flag (hidden by default); ``junk_reason`` why the analyser
    flagged it; ``junk_cleared`` is set when an admin unflags it, so a later re-analysis
    does not flag it again."""

    rating = models.OneToOneField(
        Rating,
        on_delete=models.CASCADE,
        db_constraint=False,
        primary_key=True,
        related_name="comment_analysis",
    )
    sentiment = models.CharField(max_length=3, choices=[(s, s) for s in SENTIMENTS])
    polarity = models.FloatField(help_text="-1 negative .. 1 positive")
    t_process = models.BooleanField(default=False)
    t_staff = models.BooleanField(default=False)
    t_facilities = models.BooleanField(default=False)
    t_outcome = models.BooleanField(default=False)
    t_waiting = models.BooleanField(default=False)
    t_documents = models.BooleanField(default=False)
    junk = models.BooleanField(default=False)
    junk_reason = models.CharField(max_length=20, blank=True, default="")
    junk_cleared = models.BooleanField(default=False)
    mentions_copy_asked = models.BooleanField(
        default=False, help_text="The comment says a photocopy was asked for (No Copy evidence)."
    )
    words = models.TextField(blank=True, default="", help_text="Content words, space-separated.")
    model_version = models.CharField(max_length=40)
    analysed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("comment analysis")
        verbose_name_plural = _("comment analyses")
        indexes = [
            models.Index(fields=["junk", "sentiment"], name="comment_junk_sentiment"),
            models.Index(
                fields=["mentions_copy_asked"],
                name="comment_copy_asked",
                condition=models.Q(mentions_copy_asked=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sentiment} {self.rating_id}"

    @property
    def topics(self) -> list[str]:
        return [name for name, field in TOPIC_FIELDS.items() if getattr(self, field)]
