"""The board report: content from the analysis layer, PDF/DOCX read back, workflow, permissions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reports import analysis
from reports import board_report as br
from reports import render
from tests import factories
from webapp.boardreports import services
from webapp.boardreports.models import BoardReport
from webapp.boardreports.models import ReportStateError
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.rounds import services as round_services
from webapp.rounds.models import Round

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Load the demo into one app and build the report of the last closed round once."""
    from tests.conftest import PG_URL
    from tests.conftest import _reset_postgres
    from tests.conftest import make_config
    from webapp import create_app
    from webapp import demo

    tmp = tmp_path_factory.mktemp("board")
    app = create_app(make_config(tmp, QUESTIONNAIRE_FOLDER=str(QUESTIONNAIRES)))
    with app.app_context():
        db.create_all()
        if PG_URL:
            _reset_postgres()
        demo.load()
        db.session.commit()
        round_ = db.session.scalars(select(Round).where(Round.state == "closed")
                                    .order_by(Round.year.desc())).first()
        # The demo leaves the last closed year's report as a draft for HR to work on.
        report = services.report_for(round_)
        candidates = services.quote_candidates(round_)
        report.quotes = [c.__dict__ for c in candidates[:2]]
        db.session.commit()
        data = services.gather(report)
        doc = br.build(data)
        archive = []
        for old in db.session.scalars(select(BoardReport).order_by(BoardReport.year)):
            path = services.archive_folder() / old.archive_path if old.archive_path else None
            archive.append({
                "year": old.year, "state": old.state, "organ": old.decision_organ,
                "date": old.decision_date, "paragraph": old.decision_paragraph,
                "diarienummer": old.diarienummer, "sha256": old.archive_sha256,
                "data": path.read_bytes() if path else None,
                "served": services.archived_pdf(old) if old.archive_path else None})
        out = {"data": data, "doc": doc, "pdf": render.board_pdf(doc),
               "docx": render.board_docx(doc), "html": render.board_html(doc),
               "quotes": candidates[:2], "year": round_.year, "archive": archive}
        db.session.remove()
        if PG_URL:
            _reset_postgres()
        db.engine.dispose()
    return out


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


REQUIRED = ["Sammanfattning", "Beslutsunderlag", "förslag till beslut", "Beslutet skickas till",
            "Ärendet", "Svarsfrekvens", "Resultat per område", "Iakttagelser från förvaltningarna",
            "Föregående periods åtgärder", "Föreslagna åtgärder", "Medarbetarenkäten",
            "Jämförelse med tidigare år", "Utvecklingsområden", "Bilaga 1"]


def test_document_has_the_tjansteskrivelse_sections_in_order(demo_build: dict[str, Any]) -> None:
    doc = demo_build["doc"]
    headings = doc.headings()
    assert headings[0] == f"Årlig uppföljning av aktiva åtgärder inom likabehandling " \
                          f"{demo_build['year']}"
    positions = [next(i for i, h in enumerate(headings) if part in h) for part in REQUIRED]
    assert positions == sorted(positions)
    assert any(isinstance(b, br.Paragraph) and b.text.startswith("att godkänna rapporten")
               for b in doc.blocks)
    assert all(f.alt and f.png.startswith(b"\x89PNG") for f in doc.figures())


def test_pdf_reads_back_with_sections_figures_bookmarks_and_fonts(
        demo_build: dict[str, Any]) -> None:
    from pypdf import PdfReader

    pdf = demo_build["pdf"]
    text = _flat(_pdf_text(pdf))
    for part in REQUIRED:
        assert part in text, part
    # The area key figures in the PDF are the analysis layer's TOTAL shares.
    areas = demo_build["data"].areas
    total = areas[areas["unit"] == analysis.TOTAL].set_index("area")
    share = total.loc["arbetsforhallanden", "share"]
    assert f"Arbetsförhållanden {total.loc['arbetsforhallanden', 'questions']}" in text
    assert _flat(br.fmt_share(share)) in text
    rates = demo_build["data"].rates
    row = rates[rates["unit"] == analysis.TOTAL].iloc[0]
    assert f"{int(row['submitted'])} av {int(row['assignments'])} förvaltningar" in text
    for quote in demo_build["quotes"]:
        assert _flat(quote.text)[:40] in text
    reader = PdfReader(io.BytesIO(pdf))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[0].startswith("Årlig uppföljning")
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()[
                "/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object() or "/FontFile3" in \
                descriptor.get_object()
            fonts.add(str(font["/BaseFont"]))
    assert any("DejaVu" in f for f in fonts)
    assert "Sida 1 av" in text


def test_docx_has_word_headings_tables_and_described_charts(demo_build: dict[str, Any]) -> None:
    import docx

    document = docx.Document(io.BytesIO(demo_build["docx"]))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings[0] == ("Heading 1", demo_build["doc"].headings(1)[0])
    assert ("Heading 2", "Sammanfattning") in headings
    assert ("Heading 3", "Svarsfrekvens") in headings
    descr = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert len(descr) == len(demo_build["doc"].figures())
    assert all(descr)
    table_texts = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["Område", "Frågor", "Svar", "Andel ja"] in table_texts


def test_completeness_check_reports_every_required_part(demo_build: dict[str, Any]) -> None:
    checks = br.completeness(demo_build["data"])
    keys = {c.key for c in checks}
    for area in br.FIVE_AREAS:
        assert {f"{area}.{step}" for step in br.STEPS} <= keys
    assert {"trakasserier", "jamn_konsfordelning", "lonekartlaggning", "lonejusteringar",
            "samverkan", "utvardering"} <= keys
    assert all(c.status in br.STATUS_LABELS for c in checks)
    appendix = [t for t in demo_build["doc"].tables() if t.caption.startswith("Samtliga krav")]
    assert len(appendix[0].rows) == len(checks)


def _small_data(wide_rows: list[dict[str, Any]], measures_next: list[br.MeasureRow] = ()
                ) -> br.ReportData:
    specs = [
        analysis.QuestionSpec("omraden", "multi_choice", "Vilka områden?",
                              options=tuple((a, a) for a in br.FIVE_AREAS),
                              areas=("undersoka",)),
        analysis.QuestionSpec("orsaker", "yes_partly_no", "Analyserat?",
                              options=(("ja", "Ja"), ("delvis", "Delvis"), ("nej", "Nej")),
                              areas=("analysera",)),
        analysis.QuestionSpec("samverkan", "yes_no", "Samverkan?",
                              options=(("ja", "Ja"), ("nej", "Nej")), areas=("samverkan",)),
    ]
    import pandas as pd

    frame = pd.DataFrame({"unit": [f"U{i}" for i in range(len(wide_rows))],
                          "answers": wide_rows})
    wide = analysis.expand_answers(frame, specs)
    result = analysis.aggregate(wide, specs, by="unit")
    rates = analysis.response_rates(frame.assign(state="submitted"))
    return br.ReportData(
        municipality="Testkommun", organ="KS", author="KLF", date=dt.date(2026, 1, 2),
        diarienummer="", year=2025, texts=br.default_texts(2025, "KLF", "KS", dt.date(2026, 1, 2)),
        specs=specs, wide=wide, result=result,
        areas=analysis.area_table(result.options, specs), rates=rates,
        unit_names={}, area_labels={}, measures_next=list(measures_next))


def test_completeness_statuses_follow_the_answers() -> None:
    data = _small_data([
        {"omraden": {"selected": ["loner", "arbetsforhallanden"]},
         "orsaker": {"answer": "ja"}, "samverkan": "ja"},
        {"omraden": {"selected": ["loner"]}, "orsaker": {"answer": "nej"}},
    ], [br.MeasureRow("Lönekurs", "U0", "loner", "Löner")])
    checks = {c.key: c for c in br.completeness(data)}
    assert checks["loner.undersoka"].status == br.COVERED
    assert checks["arbetsforhallanden.undersoka"].status == br.PARTIAL
    assert checks["rekrytering.undersoka"].status == br.MISSING
    assert checks["loner.analysera"].status == br.PARTIAL  # only U0 analysed
    assert checks["loner.atgarda"].status == br.COVERED
    assert checks["rekrytering.atgarda"].status == br.MISSING
    assert checks["samverkan"].status == br.PARTIAL
    assert checks["jamn_konsfordelning"].status == br.MISSING  # no questions at all


# --- workflow and permissions -------------------------------------------------------------------


@pytest.fixture
def report(app: Flask, tmp_path: Path) -> BoardReport:
    kom = factories.gen_unit(code="KOM", name="Kommunen")
    units = [factories.gen_unit(kom, name=f"Förvaltning {i}") for i in range(3)]
    round_ = factories.gen_round(units, tmp_path / "q", year=2025, title="Uppföljning 2025")
    hr = factories.gen_user(Role.HR)
    for i, assignment in enumerate(round_.assignments[:2]):
        assignment.submit({"rutin_kand": "ja" if i else "nej",
                           "kommentar": f"Rutinen gicks igenom på APT {i}."}, hr)
    round_services.close_round(round_)
    db.session.commit()
    report = services.create_draft(round_)
    db.session.commit()
    return report


def test_workflow_draft_sent_approved_archives_an_immutable_pdfa(report: BoardReport,
                                                                app: Flask) -> None:
    from pypdf import PdfReader

    services.update(report, [], summary="Ny sammanfattning.", organ=report.organ)
    report.mark_sent()
    with pytest.raises(ReportStateError):
        services.update(report, [], summary="Ändrad efter utskick.")
    services.back_to_draft(report)
    services.mark_sent(report)
    services.approve(report, "Kommunstyrelsen", dt.date(2026, 5, 4), "§ 1/26", "KS 2026/12",
                     None)
    db.session.commit()
    assert report.is_approved
    path = Path(app.config["ARCHIVE_FOLDER"]) / report.archive_path
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == report.archive_sha256
    assert services.archived_pdf(report) == data
    assert not path.stat().st_mode & 0o222  # read-only
    reader = PdfReader(io.BytesIO(data))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in metadata
    assert "Ny sammanfattning." in _pdf_text(data)
    assert "Utkast" not in _pdf_text(data)
    with pytest.raises(ReportStateError):
        services.update(report, [], summary="Ändrad efter beslut.")
    with pytest.raises(ReportStateError):
        report.back_to_draft()
    # A changed file is refused, not served.
    path.chmod(0o644)
    path.write_bytes(data + b"%")
    with pytest.raises(services.ArchiveError):
        services.archived_pdf(report)


def test_hr_pages_edit_preview_download_send_and_decide(report: BoardReport, client: FlaskClient,
                                                        auth: Any) -> None:
    import docx

    auth.login_as(factories.gen_user(Role.HR))
    page = client.get(f"/rapporter/{report.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rutinen gicks igenom på APT" in html  # the free-text checklist
    assert "Dokumentation enligt 3 kap. 13 §" in html
    key = html.split('name="quotes" id="quote-')[1].split('"')[0]
    form = {"organ": "Kommunstyrelsen", "author": "Kommunledningsförvaltningen",
            "report_date": "2026-04-20", "diarienummer": "fel format", "summary": "Kort.",
            "basis": "Tjänsteskrivelse", "proposal": "att godkänna rapporten", "send_to": "KS",
            "background": "Bakgrund.", "development": "Mer APT.", "quotes": [key]}
    bad = client.post(f"/rapporter/{report.id}", data=form)
    assert bad.status_code == 200
    assert "till exempel KS 2021/841" in bad.get_data(as_text=True)
    form["diarienummer"] = "KS 2026/12"
    assert client.post(f"/rapporter/{report.id}", data=form).status_code == 302
    db.session.refresh(report)
    assert report.diarienummer == "KS 2026/12" and len(report.quotes) == 1
    preview = client.get(f"/rapporter/{report.id}/forhandsgranska").get_data(as_text=True)
    assert "Mer APT." in preview and report.quotes[0]["text"] in preview
    assert "<style" not in preview
    pdf = client.get(f"/rapporter/{report.id}/dokument.pdf")
    assert pdf.mimetype == "application/pdf" and "KS 2026/12" in _pdf_text(pdf.data)
    word = client.get(f"/rapporter/{report.id}/dokument.docx")
    assert "Mer APT." in "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert client.post(f"/rapporter/{report.id}/skicka").status_code == 302
    decision = {"organ": "Kommunstyrelsen", "date": "2026-05-04", "paragraph": "paragraf 1",
                "diarienummer": "KS 2026/12"}
    bad = client.post(f"/rapporter/{report.id}/beslut", data=decision)
    assert "till exempel § 1/23" in bad.get_data(as_text=True)
    decision["paragraph"] = "§ 1/26"
    assert client.post(f"/rapporter/{report.id}/beslut", data=decision).status_code == 302
    db.session.refresh(report)
    assert report.is_approved and report.decision_paragraph == "§ 1/26"
    # Approved: the edit form is gone and a POST is refused.
    assert 'name="summary"' not in client.get(f"/rapporter/{report.id}").get_data(as_text=True)
    assert client.post(f"/rapporter/{report.id}", data=form).status_code == 409
    archived = client.get(f"/rapporter/{report.id}/arkiv.pdf")
    assert hashlib.sha256(archived.data).hexdigest() == report.archive_sha256


def test_a_failed_approval_leaves_no_file_in_the_archive(report: BoardReport,
                                                         app: Flask) -> None:
    archive = Path(app.config["ARCHIVE_FOLDER"])
    before = set(archive.rglob("*.pdf"))
    services.mark_sent(report)
    db.session.commit()
    services.approve(report, "Kommunstyrelsen", dt.date(2026, 5, 4), "§ 1/26", "KS 2026/12",
                     None)
    written = set(archive.rglob("*.pdf")) - before
    assert len(written) == 1  # written before the commit, as the decision is recorded
    db.session.rollback()  # e.g. the commit failed
    assert set(archive.rglob("*.pdf")) == before
    db.session.refresh(report)
    assert not report.is_approved
    # Approved and committed, the file stays even if the session later rolls back.
    services.approve(report, "Kommunstyrelsen", dt.date(2026, 5, 4), "§ 1/26", "KS 2026/12",
                     None)
    db.session.commit()
    db.session.rollback()
    kept = set(archive.rglob("*.pdf")) - before
    assert len(kept) == 1 and services.archived_pdf(report) == next(iter(kept)).read_bytes()


def test_board_sees_only_approved_reports(report: BoardReport, app: Flask, client: FlaskClient,
                                          auth: Any) -> None:
    board = factories.gen_user(Role.BOARD)
    auth.login_as(board)
    assert "Det finns inga beslutade rapporter" in client.get("/rapporter").get_data(as_text=True)
    assert client.get(f"/rapporter/{report.id}/arkiv.pdf").status_code == 403
    assert client.get(f"/rapporter/{report.id}").status_code == 403
    services.mark_sent(report)
    services.approve(report, "Kommunstyrelsen", dt.date(2026, 5, 4), "§ 1/26", "KS 2026/12",
                     None)
    db.session.commit()
    listing = client.get("/rapporter").get_data(as_text=True)
    assert report.archive_sha256 in listing
    archived = client.get(f"/rapporter/{report.id}/arkiv.pdf")
    assert archived.status_code == 200
    assert hashlib.sha256(archived.data).hexdigest() == report.archive_sha256
    assert client.get(f"/rapporter/{report.id}/dokument.pdf").status_code == 403


def test_cli_builds_the_report(report: BoardReport, runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "rapport.docx"
    result = runner.invoke(args=["report", "build", "--round", str(report.round_id),
                                 "--format", "docx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")
    missing = runner.invoke(args=["report", "build", "--round", "999", "--format", "pdf",
                                  "--output", str(out)])
    assert missing.exit_code != 0


def test_word_template_is_shipped_and_the_report_uses_its_styles(runner: Any,
                                                                 tmp_path: Path) -> None:
    import docx

    from reports.render import DOCX_TEMPLATE
    from reports.render import TEMPLATES

    shipped = docx.Document(str(TEMPLATES / DOCX_TEMPLATE))
    out = tmp_path / "mall.docx"
    result = runner.invoke(args=["report", "word-template", str(out)])
    assert result.exit_code == 0, result.output
    fresh = docx.Document(str(out))
    for template in (shipped, fresh):
        names = {s.name for s in template.styles}
        assert {"Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption",
                "Quote"} <= names
        assert template.paragraphs == [] or all(not p.text for p in template.paragraphs)
    # A municipality's edit of the template shows in the report.
    folder = tmp_path / "mallar"
    folder.mkdir()
    fresh.styles["Heading 2"].font.name = "Garamond"
    fresh.save(str(folder / DOCX_TEMPLATE))
    doc = br.Document(meta=br.Meta(municipality="Kommun", organ="KS", author="KLF",
                                   date=dt.date(2026, 3, 1), diarienummer="", title="Titel",
                                   year=2025),
                      blocks=[br.Heading(2, "Sammanfattning"), br.Paragraph("Text.")])
    built = docx.Document(io.BytesIO(render.board_docx(doc, template_dir=folder)))
    heading = next(p for p in built.paragraphs if p.text == "Sammanfattning")
    assert heading.style.name == "Heading 2" and heading.style.font.name == "Garamond"


# --- document quality: charts, wording, PDF/A, Word, decision, demo archive -------------------


def _shares(rows: list[tuple[str, str, str, float | None]]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=["group", "option", "label", "share"])


def _bar_colours(table: Any) -> tuple[list[str], dict[str, str]]:
    """Draw a share chart; return its legend (in order) and each option's bar colour."""
    from matplotlib.colors import to_hex

    from reports import charts

    fig, ax = charts.new_figure(7.0, 2.5)
    charts.plot_shares(ax, table)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    colours = {c.get_label(): to_hex(c.patches[0].get_facecolor()) for c in ax.containers}
    return legend, colours


def test_option_colours_follow_the_meaning_in_every_chart() -> None:
    from reports import charts

    yes_no = _shares([("Fråga A", "ja", "Ja", 80.0), ("Fråga A", "nej", "Nej", 20.0)])
    yes_partly_no = _shares([("Fråga B", "ja", "Ja", 50.0), ("Fråga B", "delvis", "Delvis", 30.0),
                             ("Fråga B", "nej", "Nej", 20.0)])
    # A yes/no question first, then a ja/delvis/nej one: "Delvis" used to be appended last.
    mixed = _shares([*yes_no.itertuples(index=False), *yes_partly_no.itertuples(index=False)])
    with_na = _shares([("Fråga C", "nej", "Nej", 10.0), ("Fråga C", "ej_aktuellt", "Ej aktuellt",
                                                         30.0), ("Fråga C", "ja", "Ja", 60.0)])
    charts_drawn = [_bar_colours(t) for t in (yes_no, yes_partly_no, mixed, with_na)]
    # Without the key column (the results pages) the labels carry the meaning.
    charts_drawn.append(_bar_colours(mixed.drop(columns="option")))
    for legend, colours in charts_drawn:
        assert colours["Ja"] == charts.POSITIVE.lower()
        assert colours["Nej"] == charts.NEGATIVE.lower()
        assert colours.get("Delvis", charts.PARTLY.lower()) == charts.PARTLY.lower()
        expected = [o for o in ("Ja", "Delvis", "Nej", "Ej aktuellt") if o in colours]
        assert legend == expected
    assert charts_drawn[3][1]["Ej aktuellt"] == charts.NEUTRAL.lower()
    # An agreement scale runs from vermillion (disagree) to blue (agree); "vet ej" is grey.
    scale = charts.option_colors(["1", "2", "3", "4", "vet_ej"])
    assert scale["1"] == charts.NEGATIVE and scale["4"] == charts.POSITIVE
    assert scale["vet_ej"] == charts.NEUTRAL
    # Text inside a segment takes the colour that contrasts most.
    assert charts.text_color(charts.POSITIVE) == "white"
    assert charts.text_color(charts.PARTLY) == charts.INK


def test_long_chart_labels_end_with_an_ellipsis() -> None:
    from reports import charts

    long = ("Har skyddsrond, inklusive den organisatoriska och sociala arbetsmiljön (OSA), "
            "genomförts i alla enheter och har resultatet dokumenterats?")
    wrapped = charts._wrap(long)
    lines = wrapped.split("\n")
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 34 for line in lines)
    assert charts._wrap("Samverkan") == "Samverkan"
    assert "…" not in charts._wrap("Har förvaltningen deltagit i årets lönekartläggning?")


@pytest.mark.parametrize("groups", [1, 2, 6])
def test_legend_never_overlaps_the_axis_label(groups: int) -> None:
    from reports import charts

    rows = [(f"Fråga {g} om samverkan med arbetstagarorganisationerna", key, label, share)
            for g in range(groups)
            for key, label, share in (("ja", "Ja", 75.0), ("delvis", "Delvis", 25.0),
                                      ("nej", "Nej", 0.0))]
    fig, ax = charts.new_figure(7.0, 0.55 * groups + 1.6)
    charts.plot_shares(ax, _shares(rows))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    charts.to_png(fig)  # lays the figure out
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    xlabel = ax.xaxis.label.get_window_extent(renderer)
    ticks = ax.xaxis.get_tightbbox(renderer)
    assert not legend.overlaps(xlabel) and not legend.overlaps(ticks)
    assert legend.y0 >= ax.get_window_extent(renderer).y1  # above the bars
    assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)


def test_count_sentences_agree_with_one() -> None:
    one_unit = _small_data([{"omraden": {"selected": ["loner"]}, "orsaker": {"answer": "ja"},
                             "samverkan": "ja"}],
                           [br.MeasureRow("Lönekurs", "U0", "loner", "Löner")])
    one_unit = br.ReportData(**{**one_unit.__dict__, "measures_last": [
        br.MeasureRow("APT-tema", "U0", "loner", "Löner", "Genomförd", "Ja", evaluated=True)]})
    checks = {c.key: c.basis for c in br.completeness(one_unit)}
    assert checks["loner.atgarda"] == "1 åtgärd planerad för 2026"
    assert checks["loner.folja_upp"] == "1 av 1 åtgärd från 2024 utvärderad"
    assert checks["loner.undersoka"] == "1 av 1 förvaltning har undersökt området"
    assert checks["utvardering"] == "1 av 1 åtgärd utvärderad"
    texts = [b.text for b in br.build(one_unit).blocks if isinstance(b, br.Paragraph)]
    assert "Förvaltningarna föreslår 1 åtgärd för 2026. Ansvar och tidsplan framgår av " \
           "tabellen." in texts
    assert any(t.startswith("Åtgärdsregistret innehåller 1 åtgärd för 2024. Den har "
                            "utvärderats") for t in texts)
    assert any(t.startswith("1 av 1 förvaltning (100") for t in texts)
    assert not any(" 1 åtgärder" in t or "1 av 1 förvaltningar" in t for t in texts)
    assert br.count_text(2, "åtgärd", "åtgärder") == "2 åtgärder"
    assert br.count_text(0, "åtgärd", "åtgärder") == "0 åtgärder"


def _decided(doc: br.Document) -> br.Document:
    import dataclasses

    meta = dataclasses.replace(
        doc.meta, draft=False, diarienummer="KS 2024/118",
        decision=br.Decision("Kommunstyrelsens arbetsutskott", dt.date(2024, 5, 12), "§ 12/24"))
    return br.Document(meta=meta, blocks=doc.blocks)


def test_draft_is_marked_and_an_approved_report_shows_the_decision(
        demo_build: dict[str, Any]) -> None:
    import docx

    draft = demo_build["doc"]
    assert draft.meta.status_text == "Utkast – ej beslutat"
    assert "Utkast – ej beslutat" in demo_build["html"]
    assert "UTKAST" in docx.Document(io.BytesIO(demo_build["docx"])).sections[0].header \
        .paragraphs[0].text
    decided = _decided(draft)
    wording = "Beslutad av Kommunstyrelsens arbetsutskott 2024-05-12, § 12/24"
    assert decided.meta.status_text == wording
    html = _flat(render.board_html(decided))
    assert wording in html and "Utkast" not in html
    pages = [_flat(p) for p in _pdf_text(render.board_pdf(decided)).split("Sida ")]
    assert wording in pages[0] and "Dnr KS 2024/118" in pages[1]  # head and running head
    document = docx.Document(io.BytesIO(render.board_docx(decided)))
    body = _flat("\n".join(p.text for p in document.paragraphs))
    assert wording in body and "UTKAST" not in body
    assert wording in _flat(document.sections[0].header.paragraphs[0].text)
    head = [_flat(c.text) for row in document.tables[0].rows for c in row.cells]
    assert "Beslut" in head and "Kommunstyrelsens arbetsutskott 2024-05-12, § 12/24" in head


def test_archived_pdf_is_tagged_pdfa_with_bookmarks_and_embedded_fonts(
        demo_build: dict[str, Any]) -> None:
    from pypdf import PdfReader

    archived = [a for a in demo_build["archive"] if a["data"]]
    assert archived
    reader = PdfReader(io.BytesIO(archived[-1]["data"]))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "sv"
    # Tagged: the charts are Figure elements carrying their alt text.
    alts = []
    stack = [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack.extend(node)
        elif hasattr(node, "get"):
            if node.get("/S") == "/Figure" and node.get("/Alt"):
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None and not isinstance(kids, int):
                stack.append(kids)
    assert len(alts) >= 5 and any(a.startswith("Andel ja-svar per område") for a in alts)
    # Headings as nested bookmarks: the title, the tjänsteskrivelse headings, then Ärendet's.
    outline = reader.outline
    assert outline[0].title.startswith("Årlig uppföljning")
    second = [item.title for item in outline[1] if not isinstance(item, list)]
    assert second[:5] == ["Sammanfattning", "Beslutsunderlag",
                          "Kommunledningsförvaltningens förslag till beslut",
                          "Beslutet skickas till", "Ärendet"]
    assert second[-1].startswith("Bilaga 1")
    assert "Svarsfrekvens" in [i.title for i in outline[1][5] if not isinstance(i, list)]
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = (font.get("/FontDescriptor")
                          or font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            assert {"/FontFile2", "/FontFile3"} & set(descriptor.get_object())
    text = _flat("\n".join(p.extract_text() for p in reader.pages))
    assert "Sida 1 av" in text and "Beslutad" in text and "Utkast" not in text


def test_docx_tables_never_split_rows_and_headings_and_pages_are_real(
        demo_build: dict[str, Any]) -> None:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(demo_build["docx"]))
    levels = {p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert levels == {"Heading 1", "Heading 2", "Heading 3", "Heading 4"}
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        assert document.styles[name].paragraph_format.keep_with_next
    report_tables = document.tables[1:]  # the first is the document head
    assert report_tables
    for table in report_tables:
        rows = table.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        assert table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val"))
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)


def test_table_columns_hold_their_longest_word() -> None:
    table = br.Table("Samtliga krav", ("Krav", "Lagrum", "Status", "Underlag"), (
        ("Arbetsförhållanden: följa upp och utvärdera", "3 kap. 2 §, 13 §", "Uppfyllt",
         "2 av 2 åtgärder från 2024 utvärderade"),
        ("Jämn könsfördelning", "3 kap. 7 §, 13 §", "Ej aktuellt", "8 av 8 förvaltningar")))
    widths = render.column_widths(table, render.PDF_TEXT_WIDTH_PT)
    assert abs(sum(widths) - render.PDF_TEXT_WIDTH_PT) < 0.01
    for i, word in enumerate(("utvärdera", "3\u00a0kap.\u00a02\u00a0§,", "Uppfyllt",
                              "förvaltningar")):
        assert widths[i] >= render.text_width_pt(word) + render.CELL_PAD_PT - 0.01
    # Too many long words for the page: only the widest column gives up room, and its words
    # get soft hyphens where they no longer fit.
    crowded = br.Table("Föreslagna åtgärder", ("Åtgärd", "Enhet", "Område"), (
        ("Sysselsättningsgraden", "Samhällsbyggnadsförvaltningen", "Arbetsförhållanden"),))
    percents, rows = render.fitted_table(crowded, 330.0)
    assert abs(sum(percents) - 100) < 0.1
    assert "\u00ad" in rows[0][1] and "\u00ad" not in rows[0][2]
    assert render.nbsp("3 kap. 13 §") == "3\u00a0kap.\u00a013\u00a0§"


def test_demo_archives_approved_reports_and_leaves_the_last_year_a_draft(
        demo_build: dict[str, Any]) -> None:
    archive = {a["year"]: a for a in demo_build["archive"]}
    last = demo_build["year"]
    assert archive[last]["state"] == "draft" and archive[last]["data"] is None
    approved = [a for year, a in archive.items() if year < last]
    assert len(approved) >= 2
    for item in approved:
        assert item["state"] == "approved"
        assert item["organ"] == "Kommunstyrelsens arbetsutskott"
        assert item["date"].year == item["year"] + 1
        assert item["paragraph"].startswith("§ ") and item["diarienummer"].startswith("KS ")
        assert hashlib.sha256(item["data"]).hexdigest() == item["sha256"]
        assert item["served"] == item["data"]
        assert item["data"].startswith(b"%PDF")


def test_archived_demo_reports_carry_their_recorded_decision(demo_build: dict[str, Any]) -> None:
    archived = [a for a in demo_build["archive"] if a["data"]]
    assert archived
    for item in archived:
        first_page = _flat(_pdf_text(item["data"]).split("Sida ")[0])
        assert f"Beslutad av {item['organ']} {item['date'].isoformat()}, {item['paragraph']}" \
            in first_page
        assert "UTKAST" not in first_page.upper()


def test_logo_from_config_heads_the_html_pdf_and_word_report(report: BoardReport, app: Flask,
                                                              tmp_path: Path) -> None:
    import base64

    import docx
    from pypdf import PdfReader

    from reports import charts
    from webapp.boardreports import services

    fig, _ax = charts.new_figure(2.0, 1.5)
    png = charts.to_png(fig)
    (tmp_path / "logo.png").write_bytes(png)
    app.config["MUNICIPALITY_LOGO"] = str(tmp_path / "logo.png")
    doc = services.document(report)
    assert doc.meta.logo == png
    html = render.board_html(doc)
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in html
    assert 'alt="Exempelkommuns logotyp"' in html
    word = docx.Document(io.BytesIO(render.board_docx(doc)))
    first = word.inline_shapes[0]._inline.docPr
    assert first.get("descr") == "Exempelkommuns logotyp"
    first_page = PdfReader(io.BytesIO(render.board_pdf(doc))).pages[0]
    assert len(first_page.images) >= 1
