#!/bin/sh
# A program that ignores SIGTERM: only SIGKILL (after WORKER_STOP_GRACE_MS) ends it.
trap '' TERM
echo $$ > "$MARKER_DIR/$SWEEPLAB_RUN_ID.pid"
while true; do
  echo '{"type":"log","values":{"loss":1}}' >&3
  sleep 0.2
done
