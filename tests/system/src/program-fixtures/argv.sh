#!/bin/sh
# Writes its arguments, NUL-separated, to $MARKER_DIR/<run>.argv, then reports one value.
printf '%s\0' "$@" > "$MARKER_DIR/$SWEEPLAB_RUN_ID.argv"
echo '{"type":"log","step":0,"values":{"loss":0}}' >&3
