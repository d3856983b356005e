#!/bin/sh
# taskgate-managed hook: __HOOK__ (written by `taskgate install`; `taskgate uninstall` removes it)
# A hook that was here before is kept beside this one as __HOOK__.taskgate-chained and runs
# first. Fail closed: when taskgate cannot run, the commit or push does not happen.
python=__PYTHON__
# The hooks folder without a dirname process (git names a hook by a path with a slash).
case $0 in */*) chained="${0%/*}/__HOOK__.taskgate-chained" ;; *) chained="./__HOOK__.taskgate-chained" ;; esac
if [ ! -x "$python" ]; then
    echo "taskgate: $python is missing; run 'taskgate install' again from the environment taskgate is installed in (or 'taskgate uninstall')" >&2
    exit 1
fi
__STDIN_CAPTURE__
if [ -x "$chained" ]; then
    __RUN_CHAINED__ || exit $?
fi
__RUN_TASKGATE__
