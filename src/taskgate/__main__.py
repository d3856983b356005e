"""`python -m taskgate` is the same as the `taskgate` console script."""

import sys

from taskgate.launch import main

sys.exit(main())
