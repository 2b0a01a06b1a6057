"""Questionnaire operations: read the files, freeze versions, store attachments, compare.

Functions that change state flush and audit; they never commit (the caller commits once).

- `catalogue(folder) -> list[CatalogueEntry]`: every *.yaml file with its definition or problems.
- `find_file(folder, name) -> Path | None`: a file of the folder by its stem (no path tricks).
- `freeze(definition, source_file) -> QuestionnaireVersion`: the stored version with the same
  content hash, or a new one. An edited file gives a new version; old ones never change.
- `store_uploads(qform, uploader, unit_id=None) -> dict`: qform.answers() with new uploads
  saved as Attachment rows (flushed) and their references filled in.
- `attachment_path(attachment)`, `may_download(user, attachment)`.
- `diff(old, new) -> list[str]`: added, removed and changed questions, as Swedish lines.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from webapp import audit
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.questionnaires import fields as registry
from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.models import Attachment
from webapp.questionnaires.models import QuestionnaireVersion
from webapp.questionnaires.schema import ATTACHMENT_TYPES
from webapp.questionnaires.schema import Definition
from webapp.questionnaires.schema import QuestionBase
from webapp.questionnaires.schema import canonical_json
from webapp.questionnaires.schema import load_definition
from webapp.yamlio import FileErrors
from webapp.yamlio import Problem


@dataclass
class CatalogueEntry:
    """A questionnaire file and what came of reading it."""

    path: Path
    definition: Definition | None
    problems: list[Problem]

    @property
    def name(self) -> str:
        """Return the file's stem, used in URLs."""
        return self.path.stem


def read_entry(path: Path) -> CatalogueEntry:
    """Read one file into a catalogue entry; problems instead of exceptions."""
    try:
        return CatalogueEntry(path, load_definition(path), [])
    except FileErrors as exc:
        return CatalogueEntry(path, None, exc.problems)


def questionnaire_files(folder: str | Path) -> list[Path]:
    """Return the *.yaml and *.yml files of a folder, sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def catalogue(folder: str | Path) -> list[CatalogueEntry]:
    """Return every questionnaire file of the folder with its definition or problems."""
    return [read_entry(p) for p in questionnaire_files(folder)]


def find_file(folder: str | Path, name: str) -> Path | None:
    """Return the file whose stem is `name`, only from the folder's own listing."""
    return next((p for p in questionnaire_files(folder) if p.stem == name), None)


def content_hash(definition: Definition) -> str:
    """Return the sha256 of the definition's canonical JSON."""
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


def freeze(definition: Definition, source_file: str = "") -> QuestionnaireVersion:
    """Return the stored version of this exact definition, creating it when new."""
    digest = content_hash(definition)
    existing = db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.content_hash == digest)
    )
    if existing is not None:
        return existing
    version = QuestionnaireVersion(
        key=definition.id, version=definition.version, title=definition.title,
        kind=definition.kind, content_hash=digest,
        definition_json=definition.model_dump(mode="json", by_alias=True),
        source_file=Path(source_file).name if source_file else "",
    )
    db.session.add(version)
    db.session.flush()
    audit.record("questionnaire.frozen", version,
                 summary=f"{definition.title} {definition.version}", key=definition.id,
                 content_hash=digest)
    return version


def versions(key: str | None = None) -> list[QuestionnaireVersion]:
    """Return frozen versions, newest first, optionally of one questionnaire."""
    query = select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())
    if key:
        query = query.where(QuestionnaireVersion.key == key)
    return list(db.session.scalars(query))


# -- attachments -----------------------------------------------------------------------------


def attachment_path(attachment: Attachment) -> Path:
    """Return where an attachment's bytes are stored."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / "attachments" / attachment.stored_name


def store_attachment(upload: Any, question_id: str, uploader: Any = None,
                     unit_id: int | None = None) -> Attachment:
    """Save an already checked upload under UPLOAD_FOLDER with a random name; flush."""
    data = upload.stream.read()
    upload.stream.seek(0)
    filename = str(upload.filename).replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    ext = filename.rsplit(".", 1)[-1].lower()
    ext = "jpg" if ext == "jpeg" else ext
    attachment = Attachment(
        stored_name=secrets.token_hex(24), original_name=filename,
        content_type=ATTACHMENT_TYPES.get(ext, ("application/octet-stream", ()))[0],
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), question_id=question_id,
        uploaded_by_id=getattr(uploader, "id", None), unit_id=unit_id,
    )
    path = attachment_path(attachment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    db.session.add(attachment)
    db.session.flush()
    audit.record("attachment.uploaded", attachment, summary=filename, sha256=attachment.sha256)
    return attachment


def store_uploads(qform: QuestionnaireForm, uploader: Any = None,
                  unit_id: int | None = None) -> dict[str, Any]:
    """Return qform.answers() with each new upload stored and its reference filled in."""
    answers = qform.answers()
    for qid, value in answers.items():
        if isinstance(value, dict) and value.get("pending"):
            upload = qform.form[qid].data
            answers[qid] = store_attachment(upload, qid, uploader, unit_id).reference()
    return answers


def may_download(user: Any, attachment: Attachment) -> bool:
    """Admin and HR may download any attachment; heads those of units in their scope; others
    only what they uploaded."""
    from webapp.permissions import may_view_unit

    if not user.is_authenticated:
        return False
    if user.role in (Role.ADMIN, Role.HR) or attachment.uploaded_by_id == user.id:
        return True
    return bool(user.role == Role.HEAD and attachment.unit_id is not None
                and may_view_unit(user, attachment.unit_id))


# -- comparing versions ----------------------------------------------------------------------


def _options(q: QuestionBase) -> list[str]:
    kind = registry.answer_type(q)
    if isinstance(kind, registry._Radio):
        return [f"{v}={label}" for v, label in kind.choices(q)]
    if hasattr(q, "options"):
        return [f"{o.value}={o.label}" for o in q.options]
    if hasattr(q, "items"):
        return [f"{i.id}={i.label}" for i in q.items]
    if hasattr(q, "columns"):
        return [f"{c.id}={c.label}" for c in q.columns]
    return []


def diff(old: Definition, new: Definition) -> list[str]:
    """Return the added, removed and changed questions from `old` to `new`, as lines."""
    before = {q.id: q for _s, q in old.iter_questions()}
    after = {q.id: q for _s, q in new.iter_questions()}
    lines: list[str] = []
    added = [q for qid, q in after.items() if qid not in before]
    removed = [q for qid, q in before.items() if qid not in after]
    if added:
        lines.append(f"Tillagda frågor ({len(added)}):")
        lines += [f"  + {q.id} ({q.type}): {q.text}" for q in added]  # type: ignore[attr-defined]
    if removed:
        lines.append(f"Borttagna frågor ({len(removed)}):")
        lines += [f"  - {q.id} ({q.type}): {q.text}" for q in removed]  # type: ignore[attr-defined]
    changed: list[str] = []
    for qid, q in after.items():
        if qid not in before:
            continue
        p = before[qid]
        changes = []
        if p.text != q.text:
            changes.append(f"    text: ”{p.text}” → ”{q.text}”")
        if p.type != q.type:  # type: ignore[attr-defined]
            changes.append(f"    typ: {p.type} → {q.type}")  # type: ignore[attr-defined]
        if p.required != q.required:
            changes.append(f"    obligatorisk: {'ja' if p.required else 'nej'} → "
                           f"{'ja' if q.required else 'nej'}")
        old_opts, new_opts = _options(p), _options(q)
        if old_opts != new_opts:
            gone = [o for o in old_opts if o not in new_opts]
            came = [o for o in new_opts if o not in old_opts]
            detail = "; ".join(filter(None, [
                ("borttagna: " + ", ".join(gone)) if gone else "",
                ("nya: " + ", ".join(came)) if came else "",
            ])) or "ny ordning"
            changes.append(f"    alternativ: {detail}")
        if changes:
            changed.append(f"  ~ {qid}:")
            changed += changes
    if changed:
        lines.append(f"Ändrade frågor ({sum(1 for c in changed if c.startswith('  ~'))}):")
        lines += changed
    if not lines:
        lines.append("Inga skillnader i frågorna.")
    return lines
