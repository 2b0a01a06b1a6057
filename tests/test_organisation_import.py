"""`aktiva org import`: YAML and CSV, idempotent, dry run, all or nothing, located errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func
from sqlalchemy import select

from tests import factories
from webapp.audit import AuditEntry
from webapp.demo import ORG_FILE
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User

ORG_YAML = """\
units:
  - code: KOM
    name: Kommunen
    kind: kommun
    children:
      - code: SOC
        name: Socialförvaltningen
        kind: förvaltning
        employees: 40
        heads:
          - {name: Anna Berg, email: Anna.Berg@kommun.se, title: Förvaltningschef}
  - code: SOC-IFO
    name: Individ- och familjeomsorg
    kind: verksamhet
    parent: SOC
    employees: 12
"""

ORG_CSV = """\
code,name,kind,parent,employees,head_name,head_email,head_title
KOM,Kommunen,kommun,,,,,
SOC,Socialförvaltningen,förvaltning,KOM,40,Anna Berg,anna.berg@kommun.se,Förvaltningschef
SOC-IFO,Individ- och familjeomsorg,verksamhet,SOC,12,,,
"""


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def _import(runner: FlaskCliRunner, path: Path, *args: str) -> Result:
    return runner.invoke(args=["org", "import", str(path), *args])


def _counts() -> tuple[int, int, int]:
    """Return the number of units, users and audit entries."""
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Unit, User, AuditEntry)
    )


def _unit(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    assert unit is not None, f"unit {code} missing"
    return unit


@pytest.mark.parametrize(("name", "content"), [("org.yaml", ORG_YAML), ("org.csv", ORG_CSV)])
def test_import_creates_units_parents_and_heads(app: Flask, runner: FlaskCliRunner,
                                                tmp_path: Path, name: str, content: str) -> None:
    result = _import(runner, _write(tmp_path, name, content))
    assert result.exit_code == 0, result.output
    assert "3 nya, 0 ändrade, 0 oförändrade enheter; 1 nya chefer." in result.output
    assert "+ SOC Socialförvaltningen (ny)" in result.output
    assert "Importen är sparad." in result.output

    db.session.expire_all()
    kom, soc, ifo = _unit("KOM"), _unit("SOC"), _unit("SOC-IFO")
    assert kom.parent is None
    assert soc.parent_id == kom.id
    assert ifo.parent_id == soc.id
    assert (kom.kind, soc.kind, ifo.kind) == ("kommun", "förvaltning", "verksamhet")
    assert (kom.employees, soc.employees, ifo.employees) == (0, 40, 12)
    assert kom.total_employees == 52
    assert [h.email for h in soc.heads] == ["anna.berg@kommun.se"]
    head = soc.heads[0]
    assert (head.name, head.title, head.role) == ("Anna Berg", "Förvaltningschef", Role.HEAD)
    assert head.password_hash is None, "a new head must accept an invitation first"
    assert ifo.heads == []
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("unit.created") == 3
    assert actions.count("user.created") == 1


@pytest.mark.parametrize(("name", "content"), [("org.yaml", ORG_YAML), ("org.csv", ORG_CSV)])
def test_second_import_changes_nothing(app: Flask, runner: FlaskCliRunner, tmp_path: Path,
                                       name: str, content: str) -> None:
    path = _write(tmp_path, name, content)
    assert _import(runner, path).exit_code == 0
    before = _counts()
    again = _import(runner, path)
    assert again.exit_code == 0, again.output
    assert "0 nya, 0 ändrade, 3 oförändrade enheter; 0 nya chefer." in again.output
    assert _counts() == before, "an unchanged file writes no rows, not even audit entries"


def test_import_reports_and_applies_changes(app: Flask, runner: FlaskCliRunner,
                                            tmp_path: Path) -> None:
    assert _import(runner, _write(tmp_path, "org.yaml", ORG_YAML)).exit_code == 0
    changed = ORG_YAML.replace("employees: 12", "employees: 15").replace(
        "name: Kommunen", "name: Exempelkommun")
    result = _import(runner, _write(tmp_path, "org2.yaml", changed))
    assert result.exit_code == 0, result.output
    assert "0 nya, 2 ändrade, 1 oförändrade enheter" in result.output
    assert "~ SOC-IFO Individ- och familjeomsorg: employees: 12 → 15" in result.output
    assert "~ KOM Exempelkommun: name: 'Kommunen' → 'Exempelkommun'" in result.output
    db.session.expire_all()
    assert _unit("SOC-IFO").employees == 15
    assert _unit("KOM").name == "Exempelkommun"


def test_csv_employees_may_have_thousands_separators(app: Flask, runner: FlaskCliRunner,
                                                     tmp_path: Path) -> None:
    path = _write(tmp_path, "org.csv",
                  "code;name;kind;employees\nA;A;enhet;1 200\nB;B;enhet;2\u00a0300\n")
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Unit.employees).order_by(Unit.code)).all() == [1200, 2300]


def test_import_can_refer_to_parents_in_the_database(app: Flask, runner: FlaskCliRunner,
                                                     tmp_path: Path) -> None:
    top = factories.gen_unit(code="TOP", name="Toppen")
    path = _write(tmp_path, "org.csv", "code;name;kind;parent\nNY;Ny enhet;enhet;TOP\n")
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _unit("NY").parent_id == top.id


def test_dry_run_prints_changes_and_saves_nothing(app: Flask, runner: FlaskCliRunner,
                                                  tmp_path: Path) -> None:
    result = _import(runner, _write(tmp_path, "org.yaml", ORG_YAML), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+ KOM Kommunen (ny)" in result.output
    assert "+ SOC-IFO Individ- och familjeomsorg (ny)" in result.output
    assert "3 nya, 0 ändrade" in result.output
    assert "Provkörning: ingenting har sparats." in result.output
    assert "Importen är sparad." not in result.output
    db.session.expire_all()
    assert _counts() == (0, 0, 0)


def test_import_with_invite_mails_new_heads(app: Flask, runner: FlaskCliRunner, tmp_path: Path,
                                            outbox: factories.Outbox) -> None:
    result = _import(runner, _write(tmp_path, "org.yaml", ORG_YAML), "--invite")
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in outbox.messages()] == ["anna.berg@kommun.se"]
    assert "/inbjudan/" in outbox.last_body()


# Each bad file has good rows before the bad one: none of them may be imported.
BAD_FILES = [
    pytest.param("bad.csv", """\
        code,name,kind,parent,employees
        KOM,Kommunen,kommun,,
        SOC,Socialförvaltningen,avdelning,KOM,40
        """, 3, ["kolumn kind: har ett okänt värde 'avdelning'; tillåtet: 'kommun', 'nämnd', "
                 "'förvaltning', 'verksamhet' eller 'enhet'"], id="csv-unknown-kind"),
    pytest.param("bad.csv", """\
        code,name,kind,parent,employees
        KOM,Kommunen,kommun,,
        SOC,Socialförvaltningen,förvaltning,KOM,-5
        """, 3, ["kolumn employees", "är för litet"], id="csv-negative-employees"),
    pytest.param("bad.csv", """\
        code,name,kind,parent,employees
        KOM,Kommunen,kommun,,
        SOC,Socialförvaltningen,förvaltning,KOM,40
        IFO,IFO,verksamhet,SOCIAL,4
        """, 4, ["parent 'SOCIAL' finns varken i filen eller i databasen"],
        id="csv-missing-parent"),
    pytest.param("bad.csv", """\
        code,name,kind,parent,employees
        KOM,Kommunen,kommun,,
        SOC,Socialförvaltningen,förvaltning,KOM,40
        SOC,Socialtjänsten,förvaltning,KOM,40
        """, 4, ["koden 'SOC' finns redan på rad 3"], id="csv-duplicate-code"),
    pytest.param("bad.csv", """\
        code,namn,kind
        KOM,Kommunen,kommun
        """, 1, ["kolumn saknas: name"], id="csv-missing-name-column"),
    pytest.param("bad.csv", """\
        code;name;kind;parent;employees
        KOM;Kommunen;kommun;;
        SOC;Socialförvaltningen;förvaltning;KOM;40
        IFO;;verksamhet;SOC;5
        """, 4, ["kolumn name", "får inte vara tom"], id="csv-semicolon-empty-name"),
    pytest.param("bad.csv", """\
        code,name,kind,employees
        KOM,Kommunen,kommun,många
        """, 2, ["kolumn employees", "ska vara ett heltal"], id="csv-employees-not-a-number"),
    pytest.param("bad.csv", """\
        code,name,kind,head_name,head_email
        KOM,Kommunen,kommun,Anna Berg,anna.berg
        """, 2, ["kolumn head_email", "'anna.berg' är inte en e-postadress"],
        id="csv-bad-head-email"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
            kind: kommun
            children:
              - code: SOC
                name: Socialförvaltningen
                kind: avdelning
        """, 8, ["units[1].children[1].kind", "'avdelning'"], id="yaml-unknown-kind"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
            kind: kommun
          - code: SOC
            name: Socialförvaltningen
            kind: förvaltning
            parent: KOM
            employees: -1
        """, 9, ["units[2].employees", "är för litet"], id="yaml-negative-employees"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
            kind: kommun
          - code: SOC
            name: Socialförvaltningen
            kind: förvaltning
            parent: KOMMUNEN
        """, 5, ["parent 'KOMMUNEN' finns varken i filen eller i databasen"],
        id="yaml-missing-parent"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
            kind: kommun
          - code: KOM
            name: Kommunen igen
            kind: kommun
        """, 5, ["koden 'KOM' finns redan på rad 2"], id="yaml-duplicate-code"),
    pytest.param("bad.yaml", """\
        units:
          - &kom
            code: KOM
            name: Kommunen
            kind: kommun
          - *kom
        """, 6, ["referenser (*alias) är inte tillåtna"], id="yaml-alias"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
            name: Kommun
            kind: kommun
        """, 4, ["nyckeln 'name' förekommer två gånger"], id="yaml-duplicate-key"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
            kind: kommun
            anstallda: 40
        """, 5, ["units[1].anstallda", "okänd nyckel"], id="yaml-unknown-key"),
    pytest.param("bad.yaml", """\
        units:
          - code: KOM
            name: Kommunen
          kind: kommun
        """, 4, ["kan inte läsa YAML"], id="yaml-syntax-error"),
    pytest.param("bad.yaml", """\
        enheter:
          - code: KOM
        """, 1, ["enheter är en okänd nyckel"], id="yaml-wrong-top-key"),
    pytest.param("bad.txt", "code,name,kind\n", 1, ["okänt filformat"], id="unknown-format"),
]


@pytest.mark.parametrize(("name", "content", "line", "fragments"), BAD_FILES)
def test_bad_file_is_located_and_imports_nothing(app: Flask, runner: FlaskCliRunner,
                                                 tmp_path: Path, name: str, content: str,
                                                 line: int, fragments: list[str]) -> None:
    factories.gen_unit(code="EXISTING")
    before = _counts()
    path = _write(tmp_path, name, content)
    result = _import(runner, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    prefix = f"{path}:{line}: "
    located = [text for text in lines if text.startswith(prefix)]
    assert located, f"expected a message starting {prefix!r}, got:\n{result.stderr}"
    for fragment in fragments:
        assert any(fragment in text for text in located), (fragment, located)
    assert "Importen är sparad." not in result.output
    db.session.expire_all()
    assert _counts() == before


def test_yaml_over_one_megabyte_is_refused(app: Flask, runner: FlaskCliRunner,
                                           tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    filler = "# " + "x" * 98 + "\n"
    path.write_text(ORG_YAML + filler * 10_500, encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{path}:1: filen är större än 1000 kB"
    assert _counts() == (0, 0, 0)


def test_every_problem_in_a_csv_is_reported_at_once(app: Flask, runner: FlaskCliRunner,
                                                    tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", """\
        code,name,kind,employees
        KOM,Kommunen,kommun,-1
        SOC,,förvaltning,4
        """)
    result = _import(runner, path)
    assert result.exit_code == 1
    assert [text.split(": ")[0] for text in result.stderr.splitlines()] == [
        f"{path}:2", f"{path}:3"]


def test_cycle_in_file_is_refused(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, "cycle.csv", """\
        code,name,kind,parent
        A,Enhet A,enhet,B
        B,Enhet B,enhet,A
        """)
    result = _import(runner, path)
    assert result.exit_code == 1
    assert f"{path}:2: enheten 'A' ligger i en cirkel av parent" in result.stderr
    assert _counts() == (0, 0, 0)


def test_demo_organisation_imports_cleanly(app: Flask, runner: FlaskCliRunner) -> None:
    result = _import(runner, ORG_FILE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    db.session.expire_all()
    top = _unit("EK")
    assert top.parent is None
    assert top.total_employees == sum(db.session.scalars(select(Unit.employees)))
    assert 5_000 <= top.total_employees <= 7_000
    again = _import(runner, ORG_FILE)
    assert " 0 nya, 0 ändrade," in " " + again.output


@pytest.mark.parametrize("app", [{"SERVER_NAME": None}], indirect=True)
def test_invite_without_server_name_is_refused_before_importing(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path, outbox: factories.Outbox) -> None:
    result = _import(runner, _write(tmp_path, "org.yaml", ORG_YAML), "--invite")
    assert result.exit_code == 2
    assert "--invite kräver att SERVER_NAME är satt" in result.stderr
    assert _counts() == (0, 0, 0)
    assert outbox.messages() == []
