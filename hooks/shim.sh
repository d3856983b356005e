#!/bin/sh
# taskgate-managed hook: __HOOK__ (written by `taskgate install`; `taskgate uninstall` removes it)
# A hook that was here before is kept beside this one and runs first.
chained="$(dirname "$0")/__HOOK__.taskgate-chained"
__STDIN_CAPTURE__
if [ -x "$chained" ]; then
    __RUN_CHAINED__ || exit $?
fi
__RUN_TASKGATE__
