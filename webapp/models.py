"""Import every capability's models so that the metadata (and Alembic) sees all tables."""

from webapp.anonymous.models import AccessCode  # noqa: F401
from webapp.anonymous.models import AnonymousDraft  # noqa: F401
from webapp.anonymous.models import AnonymousResponse  # noqa: F401
from webapp.anonymous.models import AnonymousRound  # noqa: F401
from webapp.anonymous.models import AnonymousUnit  # noqa: F401
from webapp.audit import AuditEntry  # noqa: F401
from webapp.boardreports.models import BoardReport  # noqa: F401
from webapp.measures.models import Measure  # noqa: F401
from webapp.organisation.models import Unit  # noqa: F401
from webapp.organisation.models import UnitSuccession  # noqa: F401
from webapp.organisation.models import User  # noqa: F401
from webapp.questionnaires.models import Attachment  # noqa: F401
from webapp.questionnaires.models import QuestionnaireVersion  # noqa: F401
from webapp.rounds.models import Assignment  # noqa: F401
from webapp.rounds.models import EmailTemplate  # noqa: F401
from webapp.rounds.models import MailLog  # noqa: F401
from webapp.rounds.models import Round  # noqa: F401
from webapp.rounds.models import RoundUnit  # noqa: F401
from webapp.settings import Setting  # noqa: F401
