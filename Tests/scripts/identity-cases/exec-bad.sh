#!/bin/sh
# Identity case helper (plugin: exec): writes something that is not JSON.
cat >/dev/null
echo 'not json'
