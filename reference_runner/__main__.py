"""``python -m reference_runner``."""

from reference_runner.cli import main

raise SystemExit(main())
