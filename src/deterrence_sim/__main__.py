"""``python -m deterrence_sim`` is the same as the ``deterrence-sim`` command."""

import sys

from .cli import main

sys.exit(main())
