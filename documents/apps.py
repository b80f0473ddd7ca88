from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("公文与文档")

    def ready(self):
        # A 公文 PDF of a list or ledger too big for a request is printed by rectification's print job, which
        # asks this app to render it (rectification never imports documents: the dependency points this way).
        from rectification import printing
        from rectification.models import PrintJob

        from . import pdf

        printing.style_renderer_register(PrintJob.Style.GONGWEN, pdf.job_render)
