"""Issue #17 for the call-history import: size and row limits, answered on the `file` field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from callpulse.workforce import services
from callpulse.workforce.models import ArrivalRecord

pytestmark = pytest.mark.django_db

ROWS = "start,calls\n" + "".join(f"2026-03-02T{hour:02d}:00:00Z,3\n" for hour in range(4))


def test_rows_past_the_limit_are_refused(planner, settings):
    settings.CALLPULSE_IMPORT_MAX_ROWS = 3
    with pytest.raises(ValidationError) as error:
        services.history_import_csv(actor=planner, content=ROWS.encode())
    assert "more than 3 rows" in str(error.value.message_dict["file"])
    settings.CALLPULSE_IMPORT_MAX_ROWS = 4
    assert services.history_import_csv(actor=planner, content=ROWS.encode()) == 4


def test_a_file_over_the_size_limit_is_refused(planner, settings):
    settings.CALLPULSE_IMPORT_MAX_BYTES = 20
    for content in (ROWS, ROWS.encode()):
        with pytest.raises(ValidationError) as error:
            services.history_import_csv(actor=planner, content=content)
        assert "at most 20" in str(error.value.message_dict["file"])
    assert not ArrivalRecord.objects.exists()
