"""`python -m submissions`: see submissions.cli."""

from submissions.cli import main

raise SystemExit(main())
