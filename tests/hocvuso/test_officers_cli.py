"""`hocvuso units …`, `hocvuso officers …` and `hocvuso stats` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hocvuso.commands.officers  # noqa: F401  (registers the sub-apps)
import hocvuso.commands.units  # noqa: F401
from hocvuso.cli import app
from tests.conftest import REPO_ROOT

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    sample = REPO_ROOT / "knowledge" / "units_sample.csv"
    path.write_text(f"data_dir: {tmp_path / 'data'}\ntutor:\n  units_file: {sample}\n", encoding="utf-8")
    return path


def run(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--config", str(config), *args])


def test_units_list_shows_the_sample_then_an_import_replaces_it(config: Path, tmp_path: Path) -> None:
    listed = run(config, "units", "list", "--json")
    assert listed.exit_code == 0, listed.output
    units = json.loads(listed.stdout)
    assert all(u["sample"] for u in units) and any(u["code"] == "cdcs-may-thanh-cong" for u in units)
    assert "SAMPLE DATA" in run(config, "units", "list").stdout

    template = tmp_path / "registry.xlsx"
    assert run(config, "units", "template", str(template)).exit_code == 0
    imported = run(config, "units", "import", str(template))
    assert imported.exit_code == 0, imported.output
    assert "3 added, 0 updated, 0 unchanged" in imported.stdout and "sample units removed" in imported.stdout
    codes = [u["code"] for u in json.loads(run(config, "units", "list", "--json").stdout)]
    assert codes == ["ldld-tinh", "cd-kcn", "cdcs-cong-ty-a"]
    again = run(config, "units", "import", str(template))
    assert "0 added, 0 updated, 3 unchanged" in again.stdout


def test_a_bad_file_exits_1_listing_each_problem_and_imports_nothing(config: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level\na,A,province\nb,,grassroots\n", encoding="utf-8")
    result = run(config, "units", "import", str(bad))
    assert result.exit_code == 1
    assert "row 3, name: empty" in result.stdout
    assert "nothing was imported" in result.output
    assert all(u["sample"] for u in json.loads(run(config, "units", "list", "--json").stdout))


def test_invite_link_list_revoke_and_stats_json(config: Path) -> None:
    invite = run(config, "officers", "invite", "--unit", "cdcs-may-thanh-cong", "--json")
    assert invite.exit_code == 0, invite.output
    data = json.loads(invite.stdout)
    assert set(data) == {"code", "unit", "expires_at"} and data["unit"] == "cdcs-may-thanh-cong"
    assert run(config, "officers", "invite", "--unit", "nowhere").exit_code == 1
    link = run(config, "officers", "link", "--unit", "ldld-tp-an-phu")
    assert link.exit_code == 0 and "/admin/login?token=" in link.stdout
    assert data["code"] in run(config, "officers", "list").stdout
    assert run(config, "officers", "revoke", "99").exit_code == 1

    stats = run(config, "stats", "--unit", "cd-kcn-tan-hoa", "--json")
    assert stats.exit_code == 0, stats.output
    body = json.loads(stats.stdout)
    assert body["unit"] == "cd-kcn-tan-hoa"
    assert [i["id"] for i in body["indicators"]] == [
        "officers_competent", "public_staff_competent", "workers_competent", "grassroots_connected",
    ]  # fmt: skip
    for item in body["indicators"]:
        assert {"id", "numerator", "denominator", "value", "target"} <= set(item)
    public = body["indicators"][1]
    assert public["denominator"] == 0 and public["value"] is None
    assert body["indicators"][3]["target"] == 0.7
    assert "workers_competent" in run(config, "stats").stdout
    assert run(config, "stats", "--unit", "nowhere").exit_code == 1


def test_stats_rebuild_recounts_and_says_what_changed(config: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from hocvuso.container import Container
    from hocvuso.settings import load_settings
    from knowledge.db import transaction
    from tutor.models import Event, Learner

    first = run(config, "stats", "rebuild")
    assert first.exit_code == 0, first.output
    assert "every table already matched the live records" in first.stdout
    container = Container(load_settings(config))
    try:
        now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
        with transaction(container.session_factory) as session:  # Core inserts: no aggregate follows
            session.execute(insert(Learner), [dict(id=7, unit_id="cdcs-may-thanh-cong", consent_state="given",
                                                   active=True, created_at=now, last_seen_at=now)])  # fmt: skip
            session.execute(insert(Event), [dict(learner_id=7, kind="quiz_answered", at=now, item_id="q1",
                                                 data={"correct": False})])  # fmt: skip
    finally:
        container.close()
    second = run(config, "stats", "rebuild")
    assert second.exit_code == 0, second.output
    lines = {line.split()[0]: line for line in second.stdout.splitlines() if line.startswith("tutor_stat_")}
    assert "1 rows (before 0): 1 added, 0 removed, 0 changed" in lines["tutor_stat_quiz"]
    assert "1 rows (before 0): 1 added" in lines["tutor_stat_quiz_totals"]
    assert "0 added, 0 removed, 0 changed" in lines["tutor_stat_gaps"]
    assert "2 table(s) differed" in second.stdout
    assert "every table already matched" in run(config, "stats", "rebuild").stdout
    assert "hocvuso stats rebuild" in run(config, "stats", "rebuild", "--help").stdout
