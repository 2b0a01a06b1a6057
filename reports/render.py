"""The only module that writes documents: HTML, PDF (WeasyPrint, PDF/A) and DOCX (python-docx).

The board report is built once as a document model (reports.board_report) and written here in
the format asked for. The HTML and CSS a municipality edits live in reports/templates/
(tjansteskrivelse.html, tjansteskrivelse.css); a Word template may be put there as
tjansteskrivelse.docx: its styles (Normal, Title, Heading 1–4, Caption, Quote, Table Grid) are
used for the .docx, otherwise python-docx's default template with the styles set in
`DOCX_STYLE`.
"""

from __future__ import annotations

import base64
import functools
import gc
import io
import re
import warnings
from pathlib import Path
from typing import Any

from reports import board_report as br
from reports.perf import gc_paused

TEMPLATES = Path(__file__).with_name("templates")
HTML_TEMPLATE = "tjansteskrivelse.html"
CSS_FILE = "tjansteskrivelse.css"
DOCX_TEMPLATE = "tjansteskrivelse.docx"
# PDF/A-2b: an archival PDF with embedded fonts; transparency (the PNG charts) is allowed.
# The board report is also tagged (headings, tables, figures with their alt text, /Lang sv),
# so a screen reader can read it; conformance level B is what is claimed.
ARCHIVE_VARIANT = "pdf/a-2b"


def html_to_pdf(html: str, base_url: str | None = None, pdf_variant: str | None = None,
                tagged: bool = False) -> bytes:
    """Render an HTML document (with its own print CSS) to PDF bytes (optionally PDF/A).

    :param tagged: write a tagged PDF (logical structure, alt texts) for assistive technology.
    """
    from weasyprint import HTML  # imported late: it loads Pango, which only PDF output needs

    options: dict[str, Any] = {"pdf_tags": True} if tagged else {}
    if not pdf_variant:
        with gc_paused():  # layout creates many objects; see reports/perf.py
            return HTML(string=html, base_url=base_url).write_pdf(**options)  # type: ignore[no-any-return]
    options["pdf_variant"] = pdf_variant
    # WeasyPrint's PDF/A output leaves its ICC profile file open; it is closed when collected,
    # here, rather than warning later in unrelated code.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with gc_paused():
            pdf = HTML(string=html, base_url=base_url).write_pdf(**options)
        gc.collect()
    return pdf  # type: ignore[no-any-return]


# --- the board report: HTML and PDF -----------------------------------------------------------


_NO_BREAK = [(re.compile(r"(?<=\d) (?=kap\.)"), "\u00a0"),
             (re.compile(r"(?<=kap\.) (?=\d)"), "\u00a0"),
             (re.compile(r" (?=§)"), "\u00a0"),
             (re.compile(r"(?<=§) (?=\d)"), "\u00a0"),
             (re.compile(r"(?<=\d) (?=%)"), "\u00a0")]


def nbsp(text: str) -> str:
    """Keep "3 kap. 13 §", "§ 12/24" and "75 %" on one line (no-break spaces)."""
    for pattern, space in _NO_BREAK:
        text = pattern.sub(space, text)
    return text


def _data_uri(png: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(png).decode("ascii")


def _logo_mime(logo: bytes) -> str:
    if logo.startswith(b"\x89PNG"):
        return "image/png"
    if logo.lstrip().startswith((b"<svg", b"<?xml")):
        return "image/svg+xml"
    return "image/jpeg"


def board_html(doc: br.Document, template_dir: Path | None = None, for_print: bool = True) -> str:
    """Return the report as a standalone HTML document (CSS inlined, charts as data URIs).

    :param for_print: False for a page served in the browser: the CSS is then left out (the
        page links the stylesheet itself, since the CSP forbids inline styles).
    """
    from jinja2 import Environment
    from jinja2 import FileSystemLoader
    from jinja2 import select_autoescape

    folder = template_dir or TEMPLATES
    env = Environment(loader=FileSystemLoader([str(folder), str(TEMPLATES)]),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["nbsp"] = nbsp
    env.globals["fitted_table"] = fitted_table
    css = (folder / CSS_FILE if (folder / CSS_FILE).exists() else TEMPLATES / CSS_FILE)
    logo = (_data_uri(doc.meta.logo, _logo_mime(doc.meta.logo)) if doc.meta.logo else "")
    return env.get_template(HTML_TEMPLATE).render(
        doc=doc, meta=doc.meta, css=css.read_text(encoding="utf-8") if for_print else "",
        logo=logo, data_uri=_data_uri, kind=lambda block: type(block).__name__,
    )


def board_body(doc: br.Document, template_dir: Path | None = None) -> str:
    """Return the report's body as an HTML fragment, for a preview inside a served page."""
    html = board_html(doc, template_dir, for_print=False)
    start, end = html.find("<!--report-body-->"), html.find("<!--/report-body-->")
    return html[start:end] if start >= 0 and end > start else html


def board_pdf(doc: br.Document, archival: bool = False, template_dir: Path | None = None) -> bytes:
    """Return the report as a tagged PDF; `archival` makes it PDF/A-2b for the archive."""
    return html_to_pdf(board_html(doc, template_dir), base_url=str(template_dir or TEMPLATES),
                       pdf_variant=ARCHIVE_VARIANT if archival else None, tagged=True)


# --- the board report: DOCX -------------------------------------------------------------------

# Fonts and sizes of the default Word styles when no municipal template is present.
DOCX_STYLE: dict[str, tuple[str, float, bool]] = {
    "Normal": ("DejaVu Serif", 10.5, False),
    "Heading 1": ("DejaVu Sans", 17, True),
    "Heading 2": ("DejaVu Sans", 13, True),
    "Heading 3": ("DejaVu Sans", 11.5, True),
    "Heading 4": ("DejaVu Sans", 10.5, True),
    "Caption": ("DejaVu Sans", 9, False),
    "Header": ("DejaVu Sans", 8.5, False),
    "Footer": ("DejaVu Sans", 8.5, False),
}
INK = (0x1C, 0x25, 0x26)
ACCENT = (0x0B, 0x4F, 0x6C)  # headings, as in the PDF
DRAFT_RED = (0xA4, 0x00, 0x0F)
TABLE_HEAD_FILL = "E8F0F3"
TABLE_RULE = "B9C4C6"


def _docx_styles(document: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from docx.shared import RGBColor

    for name, (font, size, bold) in DOCX_STYLE.items():
        style = document.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False  # the default template's Heading 4 and Caption are italic
        style.font.color.rgb = RGBColor(*(ACCENT if name in ("Heading 1", "Heading 2",
                                                             "Heading 3") else INK))
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), font)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        if name.startswith("Heading"):
            style.paragraph_format.space_before = Pt(14 if name != "Heading 4" else 8)
            style.paragraph_format.space_after = Pt(4)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.keep_together = True
    document.styles["Normal"].paragraph_format.space_after = Pt(6)
    document.styles["Caption"].paragraph_format.space_before = Pt(2)
    document.styles["Caption"].paragraph_format.space_after = Pt(8)
    # Swedish as the proofing language of the whole document.
    lang = document.styles.element.find(qn("w:docDefaults"))
    if lang is not None:
        rpr = lang.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            node = rpr.find(qn("w:lang"))
            if node is None:
                node = rpr.makeelement(qn("w:lang"), {})
                rpr.append(node)
            node.set(qn("w:val"), "sv-SE")
    if "Quote" in [s.name for s in document.styles]:
        quote = document.styles["Quote"]
    else:
        quote = document.styles.add_style("Quote", WD_STYLE_TYPE.PARAGRAPH)
    quote.base_style = document.styles["Normal"]
    quote.font.italic = True
    quote.font.color.rgb = RGBColor(*INK)
    quote.paragraph_format.left_indent = Pt(18)
    quote.paragraph_format.keep_together = True


def _page_number(paragraph: Any, prefix: str) -> None:
    """Append "Sida N av M" as Word fields."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field(code: str) -> None:
        run = paragraph.add_run()
        for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"),
                           ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
                run._r.append(el)
            elif text == code:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {code} "
                run._r.append(el)
            else:
                el = OxmlElement("w:t")
                el.text = text
                run._r.append(el)

    paragraph.add_run(prefix + "Sida ")
    field("PAGE")
    paragraph.add_run(" av ")
    field("NUMPAGES")


def _row_props(row: Any, header: bool = False) -> None:
    """Never split a row over two pages; repeat the header row on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _table_look(table: Any, ruled: bool = True, caption: str = "") -> None:
    """Give a table cell padding, when `ruled` the PDF's thin horizontal rules only, and the
    caption as the table's alternative text (elements in the order the schema requires)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        show = ruled and side in ("bottom", "insideH")
        el.set(qn("w:val"), "single" if show else "nil")
        if show:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:color"), TABLE_RULE)
        borders.append(el)
    tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 40), ("left", 85), ("bottom", 40), ("right", 85)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                "w:tblPrChange")
    if caption:
        alt = OxmlElement("w:tblCaption")
        alt.set(qn("w:val"), caption[:255])
        tblpr.insert_element_before(alt, "w:tblDescription", "w:tblPrChange")


CELL_PAD_PT = 11.0  # left and right cell padding together, and a little to spare
TABLE_FONT_PT = 8.5


@functools.lru_cache(maxsize=8192)
def text_width_pt(text: str, bold: bool = False, size: float = TABLE_FONT_PT) -> float:
    """Return the width of a text in DejaVu Sans (the tables' font), in points."""
    font = _table_font(bold)
    if font is None:
        return len(text) * size * 0.6
    return float(font.getlength(text)) * size / 100


@functools.lru_cache(maxsize=2)
def _table_font(bold: bool) -> Any:
    try:
        from matplotlib import font_manager
        from PIL import ImageFont

        props = font_manager.FontProperties(family="DejaVu Sans",
                                            weight="bold" if bold else "normal")
        return ImageFont.truetype(font_manager.findfont(props, fallback_to_default=True), 100)
    except (ImportError, OSError, ValueError):
        return None


def column_widths(block: br.Table, total: float) -> list[float]:
    """Split `total` points over a table's columns from their content.

    Every column first gets room for its longest unbreakable word (so "Uppfyllt" or a
    percentage is never broken); the rest goes to the text columns by their typical length.
    When even the words do not fit, only the widest columns give up room. Word cannot size
    columns itself, and the PDF gets the same proportions.
    """
    numeric = block.numeric or (False,) * len(block.headers)
    least, wish = [], []
    for i, header in enumerate(block.headers):
        cells = [nbsp(row[i]) for row in block.rows if i < len(row)] or [""]
        # Numbers and their headers are never wrapped; text wraps between words.
        pieces = [(c, False) for c in cells] + [(header, True)] if numeric[i] else [
            (w, bold) for c, bold in ([(c, False) for c in cells] + [(header, True)])
            for w in c.split(" ")]
        least.append(max(text_width_pt(w, bold) for w, bold in pieces) + CELL_PAD_PT)
        typical = sorted(cells, key=len)[len(cells) * 3 // 4]
        wish.append(least[-1] if numeric[i] else
                    max(least[-1], min(text_width_pt(typical), 320.0) + CELL_PAD_PT))
    if sum(least) >= total:
        # Cap the widest columns at the same width until the table fits.
        cap = max(least)
        for _ in range(60):
            if sum(min(w, cap) for w in least) <= total:
                break
            cap *= 0.97
        least = [min(w, cap) for w in least]
        return [total * w / sum(least) for w in least]
    extra = total - sum(least)
    growth = [w - m for w, m in zip(wish, least, strict=True)]
    if sum(growth) <= 0:
        growth = [0.0 if numeric[i] else wish[i] for i in range(len(wish))]
        if sum(growth) <= 0:
            growth = list(wish)
    return [m + extra * g / sum(growth) for m, g in zip(least, growth, strict=True)]


PDF_TEXT_WIDTH_PT = 467.7  # A4 less the margins of tjansteskrivelse.css (165 mm)


def fitted_table(block: br.Table, total_pt: float = PDF_TEXT_WIDTH_PT
                 ) -> tuple[list[float], list[list[str]]]:
    """Return the column widths in percent and the cells ready to print: no-break spaces set,
    and soft hyphens (Swedish rules) only in words too long for their column."""
    widths = column_widths(block, total_pt)
    percents = [round(100 * w / sum(widths), 2) for w in widths]
    rows = [[_fit(nbsp(cell), widths[i] - CELL_PAD_PT) for i, cell in enumerate(row)]
            for row in block.rows]
    return percents, rows


def _fit(text: str, room_pt: float) -> str:
    if all(text_width_pt(word) <= room_pt for word in text.split(" ")):
        return text
    hyphenator = _hyphenator()
    if hyphenator is None:
        return text
    return " ".join(hyphenator.inserted(word, hyphen="\u00ad")
                    if text_width_pt(word) > room_pt else word for word in text.split(" "))


@functools.lru_cache(maxsize=1)
def _hyphenator() -> Any:
    try:
        import pyphen  # installed with WeasyPrint
    except ImportError:
        return None
    return pyphen.Pyphen(lang="sv_SE")


def _alt_text(inline_shape: Any, alt: str, title: str) -> None:
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", alt)
    doc_pr.set("title", title)


def word_template() -> Any:
    """Return an empty Word document with the report's styles and A4 page set-up.

    `aktiva report word-template FILE` saves it; edited in Word (fonts, colours, margins,
    heading styles) and saved as reports/templates/tjansteskrivelse.docx, it is what every
    .docx report starts from.
    """
    import docx
    from docx.shared import Cm

    document = docx.Document()
    _docx_styles(document)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.2), Cm(1.1)
    return document


def board_docx(doc: br.Document, template_dir: Path | None = None) -> bytes:
    """Return the report as a Word document with real heading styles and described charts."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.enum.text import WD_BREAK
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm
    from docx.shared import Pt
    from docx.shared import RGBColor

    folder = template_dir or TEMPLATES
    template = folder / DOCX_TEMPLATE
    document = docx.Document(str(template)) if template.exists() else word_template()
    meta = doc.meta
    props = document.core_properties
    props.title = meta.title
    props.author = meta.author
    props.subject = f"{meta.municipality}, {meta.organ}"
    props.keywords = "aktiva åtgärder, diskrimineringslagen, likabehandling"
    props.language = "sv-SE"
    props.comments = meta.status_text

    section = document.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    header = section.header.paragraphs[0]
    # One right-aligned tab stop at the margin: the style's centre stop is cleared.
    for stop in header.style.paragraph_format.tab_stops:
        header.paragraph_format.tab_stops.add_tab_stop(stop.position, WD_TAB_ALIGNMENT.CLEAR)
    header.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    dnr = f" · Dnr {meta.diarienummer}" if meta.diarienummer else ""
    header.add_run(nbsp(f"{meta.municipality}{dnr}"))
    header.add_run("\t")
    status = header.add_run(nbsp(meta.status_text))
    if meta.draft:
        status.bold = True
        status.font.color.rgb = RGBColor(*DRAFT_RED)
        status.text = status.text.upper()
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer, "")

    if meta.logo:
        document.add_picture(io.BytesIO(meta.logo), height=Cm(1.5))
        _alt_text(document.inline_shapes[-1], f"{meta.municipality}s logotyp", "Logotyp")
    sender = document.add_paragraph()
    name = sender.add_run(meta.municipality)
    name.bold = True
    name.font.size = Pt(14)
    name.font.color.rgb = RGBColor(*ACCENT)
    sender.add_run("\n" + meta.author).font.size = Pt(10)
    facts = [("Organ", meta.organ), ("Datum", meta.date.isoformat()),
             ("Diarienummer", meta.diarienummer or "–")]
    if meta.decision is not None:
        d = meta.decision
        facts.append(("Beslut", f"{d.organ} {d.date.isoformat()}, {d.paragraph}"))
    head = document.add_table(rows=len(facts), cols=2)
    head.autofit = False
    _table_look(head, ruled=False)
    for column, share in zip(head.columns, (0.25, 0.75), strict=True):
        column.width = int(width * share)
    for row, (label, value) in zip(head.rows, facts, strict=True):
        row.cells[0].text = label
        row.cells[1].text = nbsp(value)
        row.cells[0].paragraphs[0].runs[0].bold = True
        for cell, share in zip(row.cells, (0.25, 0.75), strict=True):
            cell.width = int(width * share)
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    kind = document.add_paragraph()
    kind.paragraph_format.space_before = Pt(8)
    kind.paragraph_format.space_after = Pt(12)
    label = kind.add_run("TJÄNSTESKRIVELSE   ")
    label.font.size = Pt(9)
    mark = kind.add_run(nbsp(meta.status_text.upper() if meta.draft else meta.status_text))
    mark.bold = True
    mark.font.size = Pt(9)
    mark.font.color.rgb = RGBColor(*(DRAFT_RED if meta.draft else ACCENT))

    for block in doc.blocks:
        if isinstance(block, br.Heading):
            document.add_heading(nbsp(block.text), level=block.level)
        elif isinstance(block, br.Paragraph):
            p = document.add_paragraph(nbsp(block.text))
            if block.style == "proposal":
                p.paragraph_format.left_indent = Cm(1)
            elif block.style == "question":
                p.runs[0].bold = True
                p.paragraph_format.keep_with_next = True
            elif block.style == "lead":
                p.paragraph_format.keep_with_next = True
            elif block.style == "basis":
                p.paragraph_format.space_after = Pt(2)
            elif block.style == "muted":
                p.runs[0].italic = True
        elif isinstance(block, br.Quote):
            p = document.add_paragraph(f"”{block.text}”", style="Quote")
            p.add_run().add_break()
            src = p.add_run(block.source)
            src.italic = False
            src.font.size = Pt(8.5)
            src.font.name = DOCX_STYLE["Caption"][0]
        elif isinstance(block, br.Figure):
            document.add_picture(io.BytesIO(block.png), width=min(Cm(15), width))
            picture = document.paragraphs[-1]
            picture.paragraph_format.keep_with_next = True
            picture.paragraph_format.space_before = Pt(6)
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _alt_text(document.inline_shapes[-1], block.alt, block.caption)
            caption = document.add_paragraph(nbsp(block.caption), style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, br.Table):
            _docx_table(document, block, width)
        elif isinstance(block, br.PageBreak):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


TABLE_TEXT = "Table Text"


def _table_text_style(document: Any) -> Any:
    """Return the paragraph style of table cells; added (sans serif 8.5 pt, no spacing) when
    the template has none, so a municipal template may define its own."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    if TABLE_TEXT in [s.name for s in document.styles]:
        return document.styles[TABLE_TEXT]
    style = document.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.name = DOCX_STYLE["Caption"][0]
    style.font.size = Pt(8.5)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.1
    return style


def _docx_table(document: Any, block: br.Table, width: int) -> None:
    """Add a table with its caption: header row repeated and shaded, rows never split."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    text_style = _table_text_style(document)
    caption = document.add_paragraph(style="Caption")
    caption.add_run(nbsp(block.caption)).bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(3)
    table = document.add_table(rows=1, cols=len(block.headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_look(table, caption=block.caption)
    numeric = block.numeric or (False,) * len(block.headers)
    for i, text in enumerate(block.headers):
        cell = table.rows[0].cells[i]
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell, TABLE_HEAD_FILL)
        if numeric[i]:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _row_props(table.rows[0], header=True)
    emu_per_pt = 12700
    percents, rows = fitted_table(block, width / emu_per_pt)
    widths = [int(width * share / 100) for share in percents]
    for values in rows:
        row = table.add_row()
        _row_props(row)
        for i, text in enumerate(values):
            row.cells[i].text = text
            if numeric[i]:
                row.cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.autofit = False
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    for n, row in enumerate(table.rows):
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
            for paragraph in cell.paragraphs:
                paragraph.style = text_style
                # Keep the caption, header and first rows together at a page break.
                paragraph.paragraph_format.keep_with_next = n < 2
    document.add_paragraph().paragraph_format.space_after = Pt(2)
