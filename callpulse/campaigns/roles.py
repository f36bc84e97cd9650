"""Role rules of campaigns (who may place calls at all is `core.roles.CALLERS`)."""

from __future__ import annotations

from callpulse.core.roles import CALLERS
from callpulse.core.roles import RoleCode as R

# Who builds and runs campaigns, assigns operators, imports lists, reads every result.
CAMPAIGN_MANAGERS = frozenset({R.HEAD_OF_SALES, R.SUPERVISOR, R.DIRECTOR})
# Who writes call scripts and takes numbers off the do-not-call list.
SCRIPT_EDITORS = frozenset({R.HEAD_OF_SALES, R.DIRECTOR})
# Who records a refusal (anyone who places calls: the client says it on the phone).
DNC_EDITORS = CALLERS
# Who reads campaign results besides the managers.
RESULT_READERS = CAMPAIGN_MANAGERS | {R.ANALYST}
