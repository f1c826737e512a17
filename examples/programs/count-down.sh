#!/bin/sh
# A shell program to sweep: reports with echo on fd 3 (the sweeplab wire protocol), stops when asked.
# W&B-style flags arrive as arguments: --start=10 --decay=0.5
start=10
decay=0.5
for arg in "$@"; do
  case "$arg" in
    --start=*) start=${arg#--start=} ;;
    --decay=*) decay=${arg#--decay=} ;;
  esac
done
step=0
value=$start
while [ "$step" -lt 10 ]; do
  [ -n "$SWEEPLAB_STOP_FILE" ] && [ -e "$SWEEPLAB_STOP_FILE" ] && exit 0
  value=$(awk -v v="$value" -v d="$decay" 'BEGIN { print v * d }')
  if [ -n "$SWEEPLAB_REPORT_FD" ]; then
    echo "{\"type\":\"log\",\"step\":$step,\"values\":{\"loss\":$value}}" >&3
  else
    echo "step $step loss $value"
  fi
  step=$((step + 1))
  sleep 0.1
done
