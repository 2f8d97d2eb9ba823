"""``python -m portal [streamlit flags]``: see :mod:`portal.launcher`."""

import sys

from portal.launcher import main

sys.exit(main())
