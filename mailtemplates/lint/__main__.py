"""``python -m mailtemplates.lint``: the same command as ``mailtemplates lint``."""

import sys

from .command import main

sys.exit(main())
