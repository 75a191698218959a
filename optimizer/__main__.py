"""`python -m optimizer ...`: the batch command line (see optimizer/cli.py)."""

import sys

from .cli import main

sys.exit(main())
