export const USAGE = `sweeplab — the sweeplab API from a terminal (HTTP only)

Usage: sweeplab <command> [options]

  sweep <file.yaml|json> [--watch]     submit a sweep; print its id, dashboard URL and warnings
  watch <sweep-id>                     live progress per run, then the comparison report
  sweeps                               list sweeps with run counts
  runs [--sweep <id>] [--status <s>]   list runs
  run <run-id>                         a run with its epochs
  cancel <run-id|sweep-id>             cancel a run, or every unfinished run of a sweep
  report <sweep-id> [--format md|html|csv|json] [--out <file>] [--open]
  workers                              live workers
  metrics --sweep <id> [--csv]         the metrics table of a sweep (every run × epoch)
  logs <run-id> [-f|--follow]          a program run's stdout and stderr (follow until it ends)

Options for every command:
  --api-url <url>     the API (default: $API_URL, else http://127.0.0.1:8080)
  --token <token>     bearer token for mutating requests (default: $API_TOKEN)
  --json              machine-readable output
  --interval <ms>     how often watch polls (default 1000)
  -h, --help          this text

Exit codes: 0 ok; 1 a watched sweep finished with failed runs, or the API failed (5xx);
2 bad usage; 3 API unreachable; 4 the API rejected the request (its field errors are printed);
130 Ctrl-C while watching (the sweep keeps running).
`;
