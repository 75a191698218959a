"""`python -m optimizer ...`: the batch command line (see optimizer/cli/)."""

import sys

from .cli import main

sys.exit(main())
