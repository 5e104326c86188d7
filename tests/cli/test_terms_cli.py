"""``consentry terms``, ``terms watch`` and ``outbox`` against a real database, a real SMTP
server and pages served on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consentry.access import Role
from consentry.cli import app
from consentry.settings import get_settings
from consentry.store import accounts
from consentry.store.database import make_engine
from consentry.store.terms import list_published
from tests.cli.conftest import runner
from tests.cli.test_cli import consentry
from tests.mail_server import SmtpServer, smtp_server  # noqa: F401
from tests.terms.pages import PARAGRAPHS, semantic_layout
from tests.terms.samples import V1, V2
from tests.web_server import Site, site  # noqa: F401


def _files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "v2.md").write_text(V1)
    (tmp_path / "v3.md").write_text(V2)
    return tmp_path / "v2.md", tmp_path / "v3.md"


def test_draft_publish_and_notices_by_mail(
        cli_env: dict[str, str], tmp_path: Path, smtp_server: SmtpServer,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("CONSENTRY_NOTICE_DAYS", "45")
    get_settings.cache_clear()
    v2, v3 = _files(tmp_path)
    first = runner.invoke(app, ["terms", "publish", str(v2), "--version", "2"])
    assert first.exit_code == 0, first.output
    engine = make_engine(cli_env["CONSENTRY_DATABASE_URL"])
    with engine.begin() as conn:
        accounts.create_user(conn, "ada@example.org", "correct horse battery", "Ada",
                             Role.ARTIST)
    engine.dispose()
    drafted = runner.invoke(app, ["terms", "draft", str(v3), "--json"])
    assert drafted.exit_code == 0, drafted.output
    review = json.loads(drafted.output)
    assert review["compared_with"] == "2" and review["material"] is True
    assert any(c["level"] == "material" for c in review["changes"])
    shown = runner.invoke(app, ["terms", "draft", str(v3)])
    assert "material" in shown.output and "45 days" in " ".join(shown.output.split())

    published = runner.invoke(app, ["terms", "publish", str(v3), "-v", "3", "--json"])
    assert published.exit_code == 0, published.output
    assert json.loads(published.output)["notified"] == 1
    again = runner.invoke(app, ["terms", "publish", str(v3), "-v", "3"])
    assert again.exit_code != 0

    listed = runner.invoke(app, ["terms", "history", "--json"])
    assert listed.exit_code == 0, repr(listed.exception)
    history = json.loads(listed.output)
    assert [(h["version"], h["material"]) for h in history][-2:] == [("2", True), ("3", True)]
    in_force = runner.invoke(app, ["terms", "show"])
    assert in_force.exit_code != 0, "both texts mention AI use and wait for their notice"
    shown_v3 = json.loads(runner.invoke(app, ["terms", "show", "3", "--json"]).output)
    assert shown_v3["markdown"] == V2 and len(shown_v3["text_hash"]) == 64

    sent = runner.invoke(app, ["outbox", "send"])
    assert sent.exit_code == 0 and "sent 1" in sent.output
    [mail] = smtp_server.mailbox.messages
    assert mail["To"] == "ada@example.org"


def test_outbox_send_fails_loudly_while_the_server_is_down(
        cli_env: dict[str, str], tmp_path: Path, smtp_server: SmtpServer,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_SMTP_PORT", str(smtp_server.port))
    get_settings.cache_clear()
    v2, v3 = _files(tmp_path)
    runner.invoke(app, ["terms", "publish", str(v2), "--version", "2"])
    engine = make_engine(cli_env["CONSENTRY_DATABASE_URL"])
    with engine.begin() as conn:
        accounts.create_user(conn, "bo@example.org", "correct horse battery", "Bo",
                             Role.ARTIST)
    engine.dispose()
    runner.invoke(app, ["terms", "publish", str(v3), "--version", "3"])
    smtp_server.stop()
    down = runner.invoke(app, ["outbox", "send", "--json"])
    assert down.exit_code == 1 and down.stderr.startswith("error: bo@example.org: ")
    report = json.loads(down.stdout)
    assert report["failed"] == 1 and report["waiting"] == 1


@pytest.mark.slow
def test_watch_add_run_list(cli_env: dict[str, str], site: Site,  # noqa: F811
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_WATCH_HOST_INTERVAL_SECONDS", "0")
    get_settings.cache_clear()
    site.html("/terms", semantic_layout(PARAGRAPHS))
    added = runner.invoke(app, ["terms", "watch", "add", site.url("/terms"),
                                "--notify", "me@example.org", "--notify", site.url("/hook")])
    assert added.exit_code == 0 and "HMAC-SHA256 secret" in added.output
    assert runner.invoke(app, ["terms", "watch", "add", "file:///etc/passwd"]).exit_code != 0
    first = runner.invoke(app, ["terms", "watch", "run"])
    assert first.exit_code == 0 and "first" in first.output
    site.html("/hook", "ok")
    site.html("/terms", semantic_layout([*PARAGRAPHS, "We train AI models on your uploads."]))
    changed = runner.invoke(app, ["terms", "watch", "run", "--json"])
    assert changed.exit_code == 0, changed.output
    [result] = json.loads(changed.output)
    assert result["status"] == "ai-changed" and result["notified"] == 2
    site.html("/terms", "gone", status=404)
    failed = runner.invoke(app, ["terms", "watch", "run"])
    assert failed.exit_code == 1 and "HTTP 404" in failed.output
    listed = json.loads(runner.invoke(app, ["terms", "watch", "list", "--json"]).output)
    assert listed[0]["last_status"] == "failed" and listed[0]["snapshots"] == 2


@pytest.mark.slow
def test_no_setting_shortens_the_notice_of_a_material_change(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    """CONSENTRY_NOTICE_DAYS=0 once made a material AI change apply at once: now the setting
    is refused with a message naming it, and nothing is published."""
    v2, _v3 = _files(tmp_path)
    result = consentry(cli_env | {"CONSENTRY_NOTICE_DAYS": "0"}, "terms", "publish", str(v2),
                       "--version", "2")
    assert result.returncode == 1, result.stderr
    assert "CONSENTRY_NOTICE_DAYS" in result.stderr and "30" in result.stderr
    assert "Traceback" not in result.stderr
    engine = make_engine(cli_env["CONSENTRY_DATABASE_URL"])
    with engine.connect() as conn:
        assert [t.version for t in list_published(conn) if t.has_text] == []
    engine.dispose()


@pytest.mark.slow
def test_publish_sets_the_required_and_prohibited_purposes(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    v2, _v3 = _files(tmp_path)
    unknown = consentry(cli_env, "terms", "publish", str(v2), "--version", "2",
                        "--prohibited", "cloning-deluxe")
    assert unknown.returncode == 1 and "cloning-deluxe" in unknown.stderr
    done = consentry(cli_env, "terms", "publish", str(v2), "--version", "2",
                     "--prohibited", "voice-likeness", "--required", "fraud-detection")
    assert done.returncode == 0, done.stderr
    engine = make_engine(cli_env["CONSENTRY_DATABASE_URL"])
    with engine.connect() as conn:
        [published] = [t for t in list_published(conn) if t.version == "2"]
    engine.dispose()
    assert (published.policy.prohibited, published.policy.required) == (
        frozenset({"voice-likeness"}), frozenset({"fraud-detection"}))
    assert published.material
