"""The active measures register: one row per åtgärd, per unit (or the whole organisation) and year.

A measure lives in one period (year). Carrying it into the next year ("förläng") creates a new
row that points back with `extended_from_id`, so each year's evaluation stays where it was
written and the chain can be followed both ways.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from webapp.audit import utcnow
from webapp.extensions import db
from webapp.organisation.models import Unit
from webapp.organisation.models import User


class Area(enum.StrEnum):
    """The five areas of DL 3 kap. 5 § and the special duties of 6–11 §§."""

    ARBETSFORHALLANDEN = "arbetsforhallanden"
    LONER = "loner"
    REKRYTERING = "rekrytering"
    KOMPETENSUTVECKLING = "kompetensutveckling"
    FORALDRASKAP = "foraldraskap"
    TRAKASSERIER = "trakasserier"
    LONEKARTLAGGNING = "lonekartlaggning"
    JAMN_KONSFORDELNING = "jamn_konsfordelning"
    SAMVERKAN = "samverkan"


AREA_LABELS = {
    Area.ARBETSFORHALLANDEN: "Arbetsförhållanden",
    Area.LONER: "Löner och andra anställningsvillkor",
    Area.REKRYTERING: "Rekrytering och befordran",
    Area.KOMPETENSUTVECKLING: "Utbildning och övrig kompetensutveckling",
    Area.FORALDRASKAP: "Förena förvärvsarbete och föräldraskap",
    Area.TRAKASSERIER: "Trakasserier, sexuella trakasserier och repressalier",
    Area.LONEKARTLAGGNING: "Lönekartläggning",
    Area.JAMN_KONSFORDELNING: "Jämn könsfördelning",
    Area.SAMVERKAN: "Samverkan",
}


class Ground(enum.StrEnum):
    """The seven grounds of discrimination (DL 1 kap. 1 §)."""

    KON = "kon"
    KONSOVERSKRIDANDE = "konsoverskridande"
    ETNISK = "etnisk"
    RELIGION = "religion"
    FUNKTIONSNEDSATTNING = "funktionsnedsattning"
    SEXUELL_LAGGNING = "sexuell_laggning"
    ALDER = "alder"


GROUND_LABELS = {
    Ground.KON: "Kön",
    Ground.KONSOVERSKRIDANDE: "Könsöverskridande identitet eller uttryck",
    Ground.ETNISK: "Etnisk tillhörighet",
    Ground.RELIGION: "Religion eller annan trosuppfattning",
    Ground.FUNKTIONSNEDSATTNING: "Funktionsnedsättning",
    Ground.SEXUELL_LAGGNING: "Sexuell läggning",
    Ground.ALDER: "Ålder",
}


class Status(enum.StrEnum):
    """Where a measure stands."""

    PLANERAD = "planerad"
    PAGAR = "pagar"
    GENOMFORD = "genomford"
    FORLANGD = "forlangd"
    AVBRUTEN = "avbruten"


STATUS_LABELS = {
    Status.PLANERAD: "Planerad",
    Status.PAGAR: "Pågår",
    Status.GENOMFORD: "Genomförd",
    Status.FORLANGD: "Förlängd",
    Status.AVBRUTEN: "Avbruten",
}

# Status changes a user may make directly. FORLANGD is reached only through `extend()`, which
# also creates the continuation; AVBRUTEN and FORLANGD are final.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PLANERAD: frozenset({Status.PAGAR, Status.GENOMFORD, Status.AVBRUTEN}),
    Status.PAGAR: frozenset({Status.PLANERAD, Status.GENOMFORD, Status.AVBRUTEN}),
    Status.GENOMFORD: frozenset({Status.PAGAR}),  # reopen a measure closed by mistake
    Status.FORLANGD: frozenset(),
    Status.AVBRUTEN: frozenset(),
}
EXTENDABLE = frozenset({Status.PLANERAD, Status.PAGAR, Status.GENOMFORD})


class Effect(enum.StrEnum):
    """The answer to "fick åtgärden avsedd effekt?"."""

    JA = "ja"
    DELVIS = "delvis"
    NEJ = "nej"
    EJ_BEDOMD = "ej_bedomd"


EFFECT_LABELS = {
    Effect.JA: "Ja",
    Effect.DELVIS: "Delvis",
    Effect.NEJ: "Nej",
    Effect.EJ_BEDOMD: "Ej bedömd",
}


class InvalidTransition(ValueError):  # noqa: N818  (a domain error, read as a sentence)
    """A status change or evaluation that the measure's state does not allow."""


class Measure(db.Model):  # type: ignore[name-defined]
    """One active measure (åtgärd) of a unit, or of the whole organisation, in one year."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optional stable code from an imported register; makes re-imports update, not duplicate.
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    period: Mapped[int] = mapped_column(index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    area: Mapped[str] = mapped_column(String(40), index=True)
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(String(300), default="")
    followup_method: Mapped[str] = mapped_column(Text, default="")
    responsible: Mapped[str] = mapped_column(String(200), default="")
    responsible_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    schedule: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[dt.date | None] = mapped_column(db.Date)
    status: Mapped[str] = mapped_column(String(20), default=Status.PLANERAD, index=True)
    effect: Mapped[str] = mapped_column(String(20), default=Effect.EJ_BEDOMD)
    evaluation: Mapped[str] = mapped_column(Text, default="")
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    origin: Mapped[str] = mapped_column(String(300), default="")
    # Plain integers for now; the rounds capability turns them into foreign keys.
    origin_round_id: Mapped[int | None] = mapped_column(index=True)
    origin_answer_id: Mapped[int | None] = mapped_column()
    extended_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("measure.id"), unique=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        db.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    unit: Mapped[Unit | None] = relationship()
    responsible_user: Mapped[User | None] = relationship()
    extended_from: Mapped[Measure | None] = relationship(
        remote_side=[id], back_populates="continuation"
    )
    continuation: Mapped[Measure | None] = relationship(
        back_populates="extended_from", uselist=False
    )

    # -- labels ----------------------------------------------------------------------------

    @property
    def area_label(self) -> str:
        """Return the Swedish label of the area."""
        return AREA_LABELS.get(Area(self.area), self.area)

    @property
    def status_label(self) -> str:
        """Return the Swedish label of the status."""
        return STATUS_LABELS.get(Status(self.status), self.status)

    @property
    def effect_label(self) -> str:
        """Return the Swedish label of the effect."""
        return EFFECT_LABELS.get(Effect(self.effect), self.effect)

    @property
    def ground_labels(self) -> list[str]:
        """Return the Swedish labels of the grounds, in the law's order."""
        chosen = set(self.grounds or [])
        return [label for ground, label in GROUND_LABELS.items() if ground in chosen]

    @property
    def is_organisation_wide(self) -> bool:
        """Whether the measure belongs to the whole organisation (kommungemensam)."""
        return self.unit_id is None and self.unit is None

    @property
    def responsible_display(self) -> str:
        """Return the responsible role or person, with the linked user's name if any."""
        parts = [p for p in (self.responsible, self.responsible_user.name
                             if self.responsible_user else "") if p]
        return " – ".join(dict.fromkeys(parts))

    @property
    def is_evaluated(self) -> bool:
        """Whether an effect or an evaluation text has been recorded."""
        return self.effect != Effect.EJ_BEDOMD or bool(self.evaluation.strip())

    # -- state -----------------------------------------------------------------------------

    def allowed_statuses(self) -> frozenset[Status]:
        """Return the statuses a user may move this measure to directly."""
        return TRANSITIONS[Status(self.status)]

    @property
    def can_extend(self) -> bool:
        """Whether the measure can be carried into the next period."""
        return Status(self.status) in EXTENDABLE and self.continuation is None

    def change_status(self, new: Status | str) -> None:
        """Move to `new`; raise InvalidTransition if the current status does not allow it."""
        new = Status(new)
        current = Status(self.status)
        if new == current:
            return
        if new == Status.FORLANGD:
            raise InvalidTransition("En åtgärd förlängs med knappen Förläng, som skapar "
                                    "fortsättningen i nästa period.")
        if new not in TRANSITIONS[current]:
            raise InvalidTransition(
                f"Åtgärden kan inte gå från {STATUS_LABELS[current].lower()} till "
                f"{STATUS_LABELS[new].lower()}."
            )
        if new == Status.PLANERAD and Effect(self.effect) in (Effect.JA, Effect.DELVIS):
            raise InvalidTransition("En åtgärd som har haft effekt kan inte bli planerad igen.")
        self.status = new.value

    def start(self) -> None:
        """Mark the measure as under way."""
        self.change_status(Status.PAGAR)

    def complete(self) -> None:
        """Mark the measure as carried out."""
        self.change_status(Status.GENOMFORD)

    def cancel(self) -> None:
        """Mark the measure as cancelled."""
        self.change_status(Status.AVBRUTEN)

    def mark_extended(self) -> None:
        """Mark the measure as carried into the next period; only `services.extend` calls this."""
        if not self.can_extend:
            if self.continuation is not None or self.status == Status.FORLANGD:
                raise InvalidTransition("Åtgärden är redan förlängd.")
            raise InvalidTransition(
                f"En {STATUS_LABELS[Status(self.status)].lower()} åtgärd kan inte förlängas."
            )
        self.status = Status.FORLANGD.value

    def record_evaluation(self, effect: Effect | str, evaluation: str, at: dt.datetime) -> None:
        """Set effect and evaluation text; a measure never begun cannot have had effect."""
        effect = Effect(effect)
        if effect in (Effect.JA, Effect.DELVIS) and self.status == Status.PLANERAD:
            raise InvalidTransition("En åtgärd som inte har påbörjats kan inte ha haft effekt. "
                                    "Ändra status först eller välj ”Ej bedömd”.")
        self.effect = effect.value
        self.evaluation = evaluation.strip()
        self.evaluated_at = at if (effect != Effect.EJ_BEDOMD or self.evaluation) else None

    # -- the extension chain ---------------------------------------------------------------

    def chain(self) -> list[Measure]:
        """Return the whole extension chain this measure is part of, oldest first."""
        first: Measure = self
        seen = {id(self)}
        while first.extended_from is not None and id(first.extended_from) not in seen:
            first = first.extended_from
            seen.add(id(first))
        chain = [first]
        while chain[-1].continuation is not None and chain[-1].continuation not in chain:
            chain.append(chain[-1].continuation)
        return chain

    def __repr__(self) -> str:
        return f"<Measure {self.id} {self.period} {self.title!r} {self.status}>"
