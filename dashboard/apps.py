from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The models whose rows the indicators count. Voter and Candidate are left out on purpose: a receiver
# on them would turn the evaluation seal's bulk delete into a row-by-row one, and their changes come
# with a save of the Evaluation itself (determination) or are voting turnout, fine within the TTL.
WATCHED = [
    ("organizations", "Organization"),
    ("organizations", "Member"),
    ("meetings", "Meeting"),
    ("meetings", "Opinion"),
    ("meetings", "OpinionClaim"),
    ("meetings", "Talk"),
    ("meetings", "SelfReview"),
    ("meetings", "Attendance"),
    ("evaluations", "Evaluation"),
    ("rectification", "RectificationItem"),
    ("rectification", "FollowUpReview"),
]


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("组织部门看板")

    def ready(self):
        # Cache invalidation only (no business rule): a write to a watched model bumps the data version.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .services import dashboard_data_changed

        for app_label, name in WATCHED:
            try:
                model = self.apps.get_model(app_label, name)
            except LookupError:  # a model another app has not landed yet
                continue
            post_save.connect(dashboard_data_changed, sender=model, dispatch_uid=f"dashboard-{name}-save")
            post_delete.connect(dashboard_data_changed, sender=model, dispatch_uid=f"dashboard-{name}-delete")
        meeting = self.apps.get_model("meetings", "Meeting")
        m2m_changed.connect(
            dashboard_data_changed, sender=meeting.supervisors.through, dispatch_uid="dashboard-meeting-supervisors"
        )
