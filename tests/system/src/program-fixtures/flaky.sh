#!/bin/sh
# Fails its first attempt (exit 1, with a reason on stderr) and succeeds on any later one.
echo "attempt $SWEEPLAB_ATTEMPT: the disk is full" >&2
[ "$SWEEPLAB_ATTEMPT" = 1 ] && exit 1
echo '{"type":"log","step":0,"values":{"loss":0}}' >&3
