from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    """What spans a meeting's phases: the member's home and to-dos, the timeline, the report (情况报告) and
    closing a meeting with its problem list. It sits above meetings, evaluations and rectification and below
    filings, notifications and dashboard (see the import contracts in pyproject.toml). No models."""

    name = "lifecycle"
    verbose_name = "组织生活会全程"
