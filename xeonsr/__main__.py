"""`python -m xeonsr ...` is the `xeonsr` command (where the console script is not on PATH)."""

import sys

from xeonsr.cli import main

sys.exit(main())
