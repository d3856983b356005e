"""Changes built in memory: moved to `tests.support.memory`; this name stays importable.

The same module object under both names, so setting `memory.WITH_GIT_LINES` through
either name changes what `make_change` does.
"""

import sys

from tests.support import memory

sys.modules[__name__] = memory
