"""``ItemComment``: the comment thread of every item (issue 10 §2). A new table: no row exists yet, so the audit log
needs no entry here; ``comments.py`` writes every row through an audited action."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_cycle_approved_at_approved_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ItemComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "role",
                    models.CharField(
                        choices=[("unit", "单位"), ("verifier", "核实人"), ("office", "考核办")],
                        max_length=16,
                        verbose_name="身份",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("comment", "留言"), ("return", "退回意见")],
                        default="comment",
                        max_length=16,
                        verbose_name="类别",
                    ),
                ),
                ("text", models.TextField(verbose_name="内容")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="留言时间")),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="留言人",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="assessments.selfevaluation",
                    ),
                ),
            ],
            options={
                "verbose_name": "指标留言",
                "verbose_name_plural": "指标留言",
                "ordering": ["created_at", "id"],
            },
        ),
    ]
