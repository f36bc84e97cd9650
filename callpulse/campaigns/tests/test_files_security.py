"""Issue #17 for campaign lists: the exports carry no live formula and survive a legacy name with
control characters; the import detects the CSV's encoding, refuses hostile XLSX files and caps
size and rows, and refuses names with control characters."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from callpulse.campaigns import services
from callpulse.campaigns.models import CampaignRecord, Segment
from callpulse.core.tests.hostile_files import billion_laughs_xlsx, xlsx_bytes

from .test_campaigns import make_campaign

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("http://evil.example/","Click")'


@pytest.fixture
def imported(clock, head, operator):
    return make_campaign(head, [operator], segment=Segment.IMPORT, params={})


def _add_record(campaign, name: str, phone: str = "+77015550001") -> None:
    # Straight to the database: a row written before names were checked.
    CampaignRecord.objects.create(
        campaign=campaign,
        phone=phone,
        name=name,
        timezone="Asia/Almaty",
        list_day=timezone.localdate(),
    )


def test_exports_write_a_planted_formula_as_quoted_text(imported, head, client):
    _add_record(imported, PLANTED)
    client.force_login(head)
    csv_text = client.get(f"/campaigns/{imported.pk}/export.csv").content.decode()
    row = csv_text.splitlines()[1]
    assert row.startswith("'+77015550001,\"'=HYPERLINK(")
    content = client.get(f"/campaigns/{imported.pk}/export.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "'" + PLANTED
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_the_xlsx_export_survives_a_legacy_name_with_control_characters(imported, head, client):
    _add_record(imported, "ТОО Бип\x07\x1b")
    client.force_login(head)
    response = client.get(f"/campaigns/{imported.pk}/export.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active["B2"].value == "ТОО Бип\ufffd\ufffd"


def test_a_windows_1251_list_is_decoded_right(imported, head):
    content = "phone;name\n+77015550001;Ержан Сейткали\n".encode("cp1251")
    result = services.campaign_import(actor=head, campaign=imported, name="l.csv", content=content)
    assert result.added == 1
    assert imported.records.get().name == "Ержан Сейткали"


def test_a_list_of_unsure_encoding_is_refused(imported, head):
    content = b"phone;name\n+77015550001;" + bytes(range(0x80, 0x100)) * 2
    with pytest.raises(ValidationError, match="CSV UTF-8"):
        services.campaign_import(actor=head, campaign=imported, name="l.csv", content=content)
    assert not imported.records.exists()


def test_a_billion_laughs_xlsx_is_refused(imported, head):
    with pytest.raises(ValidationError) as error:
        services.campaign_import(
            actor=head,
            campaign=imported,
            name="l.xlsx",
            content=billion_laughs_xlsx(["phone", "name"]),
        )
    assert "declares XML entities" in str(error.value.message_dict["file"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_and_size_past_the_limits_are_refused(imported, head, settings, fmt):
    settings.CALLPULSE_IMPORT_MAX_ROWS = 2
    rows = [["phone", "name"], *([f"+7701555000{n}", "x"] for n in range(3))]
    content = (
        "\n".join(";".join(row) for row in rows).encode() if fmt == "csv" else xlsx_bytes(rows)
    )
    with pytest.raises(ValidationError, match="more than 2 rows"):
        services.campaign_import(actor=head, campaign=imported, name=f"l.{fmt}", content=content)
    settings.CALLPULSE_IMPORT_MAX_ROWS = 50
    settings.CALLPULSE_IMPORT_MAX_BYTES = 20
    with pytest.raises(ValidationError, match="at most 20"):
        services.campaign_import(actor=head, campaign=imported, name=f"l.{fmt}", content=content)
    assert not imported.records.exists()


def test_the_import_page_refuses_a_big_file_before_reading_it(imported, head, client, settings):
    settings.CALLPULSE_IMPORT_MAX_BYTES = 20
    client.force_login(head)
    upload = SimpleUploadedFile("l.csv", b"phone;name\n+77015550001;x\n")
    response = client.post(f"/campaigns/{imported.pk}/import/", {"file": upload}, follow=True)
    assert "at most 20" in response.content.decode()
    assert not imported.records.exists()


def test_a_name_with_a_control_character_is_a_row_error(imported, head):
    content = "phone;name\n+77015550001;Бип\x07\n+77015550002;Ок\n".encode()
    result = services.campaign_import(actor=head, campaign=imported, name="l.csv", content=content)
    assert result.added == 1
    assert result.errors == ["Row 2, column name: remove the control character U+0007."]
