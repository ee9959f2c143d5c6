#!/bin/sh
# Identity case helper (plugin: exec): outlives any short timeout.
cat >/dev/null
sleep 10
