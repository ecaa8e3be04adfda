"""The time and peak memory to render a 30-recommendation report to PDF (issue 12), and the
ratio to WeasyPrint rendering the same finished HTML alone. Measured in a fresh process
(`python -m bench.report --child`), so the peak memory is the rendering's own, not the bench's.
The content is built in memory, without a database: the report's templates and WeasyPrint are
what is timed."""

import json
import resource
import subprocess
import sys
from datetime import date, timedelta
from time import perf_counter
from types import SimpleNamespace


def sample_content(recommendations: int = 30):
    """A report's content for a made-up adult in hospital: 11 KLOE findings with quotes and
    `recommendations` SMART recommendations."""
    from ctr_portal.models import Organisation
    from reports.models import ReportDraft
    from reports.queries import ReportContent
    from reviews.models import Person, Review

    icb = Organisation(name="Northshire Integrated Care Board", kind="icb")
    person = Person(
        given_name="Sam",
        family_name="Bench",
        preferred_name="Sammy",
        date_of_birth=date(1995, 3, 1),
        nhs_number="9990001049",
        has_learning_disability=True,
        setting="non_secure",
        communication="Short sentences, and pictures help.",
    )
    review = Review(
        person=person,
        kind="inpatient_repeat",
        setting="non_secure",
        commissioner=icb,
        held_on=date(2026, 3, 2),
        state="report_drafting",
    )
    text = "The panel read the notes and met the person, their family and the ward team. " * 4
    findings, recs = _sample_findings(text), _sample_recommendations(recommendations)
    draft = ReportDraft(review=review, **{k: text for k in ("about", "is_safe", "summary")})
    return ReportContent(
        review=review,
        person=person,
        draft=draft,
        review_date=review.held_on,
        panel_members=[],
        others=[],
        consent=None,
        receivers=["Sam Bench (the person)"],
        findings=findings,
        recommendations=recs,
        next_review_due=date(2026, 9, 2),
        next_review_basis="6 months",
        drafted_on=date(2026, 3, 5),
    )


def _sample_findings(text):
    from panels.models import ConsolidatedKloe, Evidence, Kloe
    from reports.queries import Finding

    findings = []
    for n in range(1, 12):
        kloe = Kloe(number=n, title=f"Key line of enquiry {n}", audience="adult")
        row = ConsolidatedKloe(kloe=kloe, finding=text, rating="some_concerns", reasoning=text)
        quote = Evidence(shows="I want to go home to my own flat.", quote_from="person")
        findings.append(Finding(kloe, row, [quote]))
    return findings


def _sample_recommendations(count):
    return [
        SimpleNamespace(
            number=n,
            action=f"Action {n}: " + "arrange and record the next step. " * 3,
            measure="The record is shared with the person and their family. " * 2,
            owner_display=f"Owner {n}, Riverside Hospital",
            kloes=SimpleNamespace(all=list),
            due_date=date(2026, 4, 1) + timedelta(days=n),
        )
        for n in range(1, count + 1)
    ]


def _child(repeat: int) -> dict:
    import django

    django.setup()
    from ctr_portal.pdf import PDF_VARIANT, pdf_html
    from reports import rendering

    content = sample_content(30)
    full, alone, pages, html = [], [], 0, ""
    for _ in range(repeat):
        started = perf_counter()
        html = rendering.print_document(rendering.report_body(content), title="Report")
        _pdf, pages = rendering.pdf_from_html(html)
        full.append(perf_counter() - started)
        started = perf_counter()
        pdf_html(html).write_pdf(pdf_variant=PDF_VARIANT)
        alone.append(perf_counter() - started)
    peak_kb = _peak_kb()
    return {
        "seconds": min(full),
        "weasyprint_alone": min(alone),
        "pages": pages,
        "peak_mb": peak_kb / 1024,
        "ratio": min(full) / min(alone),
    }


def _peak_kb() -> int:
    """This process's own peak resident memory. On Linux `ru_maxrss` of a child started by a
    large parent begins at the parent's size when it forked (the bench's, after building the
    data), so the high-water mark of the process's own memory, VmHWM, is read where there is one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_report(repeat: int = 3) -> dict:
    """{"seconds", "weasyprint_alone", "ratio", "peak_mb", "pages"} of the fastest of `repeat`."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.report", "--child", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def describe(result: dict) -> str:
    return (
        f"Report PDF, 30 recommendations ({result['pages']} pages): {result['seconds']:.2f} s "
        f"(aim < 5 s), peak memory {result['peak_mb']:.0f} MB (aim < 300 MB), "
        f"{result['ratio']:.2f}× WeasyPrint alone ({result['weasyprint_alone']:.2f} s; aim ≤ 1.5×)"
    )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctr_portal.settings")
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        print(describe(measure_report()))
