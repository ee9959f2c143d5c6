#!/bin/sh
# Identity case helper (plugin: exec): fails with a message on standard error.
cat >/dev/null
echo 'something broke' >&2
exit 3
