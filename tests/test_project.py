"""Project-wide promises: the API contract, docs without a CDN, settings that fail closed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_openapi_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in [
        "/api/v1/clients/lookup/",
        "/api/v1/users/",
        "/api/v1/absences/",
        "/api/v1/clients/{id}/credit-events/",
    ]:
        assert path in text


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "https://" not in html and "http://cdn" not in html
    assert client.get("/api/schema/").status_code == 200


def run_settings_check(settings_module: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "CALLPULSE_DEBUG"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_settings_check("callpulse.settings.prod")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("secret", ["", "   ", "short-key", "x" * 64])
def test_production_settings_refuse_an_empty_blank_or_weak_secret_key(secret):
    result = run_settings_check(
        "callpulse.settings.prod", SECRET_KEY=secret, REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_settings_check(
        "callpulse.settings.prod",
        SECRET_KEY="x" * 64 + "-a-long-random-production-key",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stylesheet_and_htmx_are_found_by_collectstatic():
    from django.contrib.staticfiles import finders

    assert finders.find("callpulse/app.css") is not None
    assert finders.find("django_htmx/htmx-2.min.js") is not None
