from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("组织部门看板")

    def ready(self):
        # Cache invalidation only (no business rule): a write to a model the dashboard reads bumps the
        # data version (selectors.WATCHED_MODELS). Voter and Candidate are left out on purpose: a receiver
        # on them would turn the evaluation seal's bulk delete into a row-by-row one; determination saves
        # the Evaluation itself, and turnout is fine within the TTL.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .selectors import WATCHED_MODELS
        from .services import TALLIES_OF_MODEL, dashboard_data_changed, tallies_stale, tally_create

        def changed(sender, **kwargs):
            dashboard_data_changed()

        for label in WATCHED_MODELS:
            model = self.apps.get_model(label)
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"dashboard-save-{label}")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"dashboard-delete-{label}")
        # The meetings' tallies (dashboard.models.MeetingTally): marked stale in the writer's transaction.
        for label, tallies_of in TALLIES_OF_MODEL.items():
            model = self.apps.get_model(label)

            def saved(sender, instance, created=False, raw=False, tallies_of=tallies_of, **kwargs):
                if raw:  # loaddata
                    return
                if created and sender._meta.label == "meetings.Meeting":
                    tally_create(meeting_id=instance.pk)
                else:
                    tallies_stale(meetings=tallies_of(instance))

            def deleted(sender, instance, tallies_of=tallies_of, **kwargs):
                tallies_stale(meetings=tallies_of(instance))

            post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"dashboard-tally-save-{label}")
            post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"dashboard-tally-delete-{label}")
        meeting = self.apps.get_model("meetings.Meeting")
        for through in (meeting.supervisors.through, meeting.supervisors_present.through):
            m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=f"dashboard-m2m-{through.__name__}")
        # The per-node rollups' own receivers (items, follow-up reviews, members, the tree, supervisors).
        from . import rollups

        rollups.connect()
