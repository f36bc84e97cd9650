"""``python -m callpulse.wfm``: see :mod:`callpulse.wfm.cli`."""

from callpulse.wfm.cli import main

raise SystemExit(main())
