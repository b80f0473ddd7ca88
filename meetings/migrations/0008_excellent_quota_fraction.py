"""The 优秀 quota as an exact ratio: excellent_quota_percent (Decimal) becomes numerator / denominator.

30.00 → 3/10, 33.33 → 3333/10000 (reduced), null → null. Backwards a ratio that is no percentage with two
decimals (1/3) is rounded down to one (33.33), so that the cap never grows.
"""

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.db import migrations, models


def percent_to_fraction(percent):
    """Decimal percent → (numerator, denominator) reduced, or (None, None) for no cap."""
    if percent is None:
        return None, None
    ratio = Fraction(Decimal(percent)) / 100
    return ratio.numerator, ratio.denominator


def fraction_to_percent(numerator, denominator):
    """(numerator, denominator) → Decimal percent with two decimals, rounded down; None for no cap."""
    if numerator is None or denominator is None:
        return None
    return (Decimal(numerator * 100) / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def forwards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for pk, percent in Meeting.objects.values_list("pk", "excellent_quota_percent").iterator():
        numerator, denominator = percent_to_fraction(percent)
        Meeting.objects.filter(pk=pk).update(excellent_quota_numerator=numerator, excellent_quota_denominator=denominator)


def backwards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    rows = Meeting.objects.values_list("pk", "excellent_quota_numerator", "excellent_quota_denominator")
    for pk, numerator, denominator in rows.iterator():
        Meeting.objects.filter(pk=pk).update(excellent_quota_percent=fraction_to_percent(numerator, denominator))


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0007_meeting_room'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='excellent_quota_numerator',
            field=models.PositiveIntegerField(blank=True, default=3, null=True, verbose_name='优秀比例上限（分子）'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='excellent_quota_denominator',
            field=models.PositiveIntegerField(blank=True, default=10, null=True, verbose_name='优秀比例上限（分母）'),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveConstraint(
            model_name='meeting',
            name='meeting_quota_between_0_and_100',
        ),
        migrations.RemoveField(
            model_name='meeting',
            name='excellent_quota_percent',
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('excellent_quota_denominator__isnull', True), ('excellent_quota_numerator__isnull', True)), models.Q(('excellent_quota_denominator__isnull', False), ('excellent_quota_numerator__isnull', False)), _connector='OR'), name='meeting_quota_both_or_none'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('excellent_quota_denominator__gt', 0)), name='meeting_quota_denominator_positive'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('excellent_quota_numerator__lte', models.F('excellent_quota_denominator'))), name='meeting_quota_at_most_all'),
        ),
    ]
