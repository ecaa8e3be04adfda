"""Reports: Celery tasks. They take ids, reload, and call one service."""

from celery import shared_task


@shared_task
def report_pdf_render(pdf_id):
    """After a PDF is asked for (a draft's, or an issued version's): render it with WeasyPrint."""
    from .services import report_pdf_render as render

    render(pdf_id=pdf_id)


@shared_task
def report_pdfs_resume():
    """Beat, every five minutes: PDFs whose task was lost."""
    from .services import report_pdfs_resume as resume

    return resume()


@shared_task
def report_deadlines():
    """Beat, daily: remind chairs before the report is due; tell commissioners when it is late."""
    from .services import report_deadlines_check

    return report_deadlines_check()
