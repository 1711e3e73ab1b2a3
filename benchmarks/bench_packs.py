"""Time referral packs: our PdfRenderer against the same HTML given to WeasyPrint directly.

    .venv/bin/python benchmarks/bench_packs.py [SUBMISSION.json ...] [--packs 50]

"ours" is ``PdfRenderer.render_referral_pack`` (Jinja2 templating included) with the process's
one FontConfiguration and its stylesheet parsed once. "direct" is what a plain WeasyPrint
call costs for the same, already templated, HTML: ``HTML(string=...).write_pdf`` with the
stylesheet parsed afresh (and a fresh FontConfiguration, which parsing needs) for each pack,
the same fetcher, PDF/A-3b and the same attachment. Prints, asserts nothing: the goal is an
overhead ratio ours/direct of at most 1.3.
"""

from __future__ import annotations

import argparse
import gc
import io
import resource
import statistics
import time
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from compliance.check import check_path
from compliance.figures import build_return_view
from compliance.issues import Issue
from compliance.model import Referral, Submission
from compliance.pseudonyms import Pseudonymiser
from compliance.render.pdf import PDF_VARIANT, STYLESHEET, PdfRenderer, referral_json_bytes

ROOT = Path(__file__).resolve().parent.parent


Job = tuple[Referral, Submission, list[Issue]]


def load(paths: list[Path]) -> list[Job]:
    jobs: list[Job] = []
    for path in paths:
        result = check_path(path)
        if result.submission is None:
            print(f"skipped {path}: unreadable")
            continue
        for referral in result.submission.referrals:
            issues = [i for i in result.report.issues if i.referral_id == referral.referral_id]
            jobs.append((referral, result.submission, issues))
    return jobs


def page_count(pdf: bytes) -> int:
    # Read by a real PDF parser: a count that quietly fell back to 0 misreported a 7-page
    # return as "0 pages" (checked against poppler's pdfinfo).
    return len(PdfReader(io.BytesIO(pdf)).pages)


def direct_pdf(renderer: PdfRenderer, markup: str, referral: Referral, when: datetime) -> bytes:
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=(renderer.template_dir / STYLESHEET).read_text(encoding="utf-8"),
        base_url=renderer.base_url,
        url_fetcher=renderer.fetcher,
        font_config=font_config,
    )
    attachment = Attachment(
        string=referral_json_bytes(referral),
        name="referral.json",
        created=when,
        modified=when,
        relationship="Data",
        url_fetcher=renderer.fetcher,
    )
    return HTML(string=markup, base_url=renderer.base_url, url_fetcher=renderer.fetcher).write_pdf(
        stylesheets=[stylesheet],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        attachments=[attachment],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--packs", type=int, default=50)
    args = parser.parse_args()
    inputs = args.inputs or sorted((ROOT / "sample_inputs").glob("*.json"))
    jobs = load(inputs)
    if not jobs:
        raise SystemExit("no referral to render")
    work = [jobs[i % len(jobs)] for i in range(args.packs)]
    print(f"{len(jobs)} referrals from {len(inputs)} inputs; {len(work)} packs per run")

    started = time.perf_counter()
    renderer = PdfRenderer()
    print(f"PdfRenderer() created in {time.perf_counter() - started:.3f} s (once per process)")
    for referral, submission, issues in work[:2]:  # warm up both paths
        renderer.render_referral_pack(referral, submission, issues, draft=False)
        markup = renderer.referral_html(referral, submission, issues, draft=False)
        direct_pdf(renderer, markup, referral, submission.generated_at)

    gc.collect()
    ours: list[float] = []
    pages = 0
    for referral, submission, issues in work:
        started = time.perf_counter()
        pdf = renderer.render_referral_pack(referral, submission, issues, draft=False)
        ours.append(time.perf_counter() - started)
        pages += page_count(pdf)
    rss_ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    templating: list[float] = []
    markups = []
    for referral, submission, issues in work:
        started = time.perf_counter()
        markups.append(renderer.referral_html(referral, submission, issues, draft=False))
        templating.append(time.perf_counter() - started)

    gc.collect()
    direct: list[float] = []
    for (referral, submission, _), markup in zip(work, markups, strict=True):
        started = time.perf_counter()
        direct_pdf(renderer, markup, referral, submission.generated_at)
        direct.append(time.perf_counter() - started)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def line(name: str, values: list[float]) -> str:
        return (
            f"{name:<34} total {sum(values):7.2f} s   mean {statistics.mean(values):.3f} s   "
            f"median {statistics.median(values):.3f} s   max {max(values):.3f} s"
        )

    print(line("ours (PdfRenderer, incl. Jinja)", ours))
    print(line("  of which Jinja templating", templating))
    print(line("direct (fresh CSS + WeasyPrint)", direct))
    print(f"overhead ratio ours/direct: {sum(ours) / sum(direct):.2f}x (goal <= 1.3x)")
    print(f"pages rendered by ours: {pages} ({pages / len(work):.1f} per pack)")
    print(f"peak RSS: {rss_ours:.0f} MB after ours, {rss_after:.0f} MB after direct")

    result = check_path(inputs[0])
    if result.submission is not None:
        view = build_return_view(
            result.submission,
            result.report,
            source_sha256=result.source_sha256,
            pseudonymiser=Pseudonymiser(b"bench"),
        )
        started = time.perf_counter()
        pdf = renderer.render_return(view, draft=not result.report.filing_ready)
        print(
            f"return PDF of {view.submission_id}: {time.perf_counter() - started:.3f} s, "
            f"{page_count(pdf)} pages"
        )


if __name__ == "__main__":
    main()
