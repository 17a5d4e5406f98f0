"""``python -m verify`` is the ``nc-verify`` command."""

import sys

from verify.face.cli import main

sys.exit(main())
