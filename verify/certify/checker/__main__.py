"""``python -m verify.certify.checker FILE...``: recheck certificate files (exit 0: all hold)."""

import sys

from . import main

sys.exit(main())
