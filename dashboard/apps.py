from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("组织部门看板")

    def ready(self):
        # Cache invalidation only (no business rule): a write to a model the indicators read bumps the
        # data version of the reads that depend on it (selectors.PARTS_OF_MODEL). Voter and Candidate
        # are left out on purpose: a receiver on them would turn the evaluation seal's bulk delete into a
        # row-by-row one; determination saves the Evaluation itself, and turnout is fine within the TTL.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .selectors import PARTS_OF_MODEL
        from .services import dashboard_data_changed

        for label, parts in PARTS_OF_MODEL.items():
            model = self.apps.get_model(label)

            def changed(sender, parts=parts, **kwargs):
                dashboard_data_changed(parts=parts)

            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"dashboard-save-{label}")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"dashboard-delete-{label}")
        meeting = self.apps.get_model("meetings.Meeting")
        for through in (meeting.supervisors.through, meeting.supervisors_present.through):

            def links_changed(sender, **kwargs):
                dashboard_data_changed(parts=("meetings",))

            m2m_changed.connect(links_changed, sender=through, weak=False, dispatch_uid=f"dashboard-m2m-{through.__name__}")
