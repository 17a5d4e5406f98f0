"""``python -m verify.nets``: the same as ``nc-verify nets`` (see :mod:`verify.nets.cli`)."""

from verify.nets.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
