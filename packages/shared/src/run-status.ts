import { z } from 'zod';

/** Checks at compile time that every target of the table is itself a status of the table. */
function transitionTable<const T extends { [S in keyof T]: readonly (keyof T & string)[] }>(table: T): T {
  return table;
}

/**
 * The run state machine: each status and the statuses it may move to. It is the one definition of
 * run statuses: the API's enum, the terminal set, the database's compare-and-set updates and the
 * ingestion of worker events are all derived from it, so adding a status is an entry here.
 *
 * Forward only. queued→failed: a job can be given up on before any worker starts it. running→queued
 * is a retry; running→running is a newer attempt taking over (a stalled job restarted elsewhere).
 * The attempt number is the fencing token beside this table: events from a lower attempt are ignored,
 * a takeover needs a higher one, and so does a retry the API decides (the worker's own
 * failed-with-retry leaves it to the next attempt's start).
 */
export const RUN_TRANSITIONS = transitionTable({
  queued: ['running', 'cancelled', 'failed'],
  // running→stopped: the sweep's early_terminate rule judged the run (apps/api sweep-controller).
  running: ['running', 'queued', 'completed', 'failed', 'cancelled', 'stopped'],
  completed: [],
  failed: [],
  cancelled: [],
  /** Ended early by hyperband; keeps its epochs (not a failure). */
  stopped: [],
});

type Transitions = typeof RUN_TRANSITIONS;
type StatusName = keyof Transitions;

export const RUN_STATUSES = Object.keys(RUN_TRANSITIONS) as [StatusName, ...StatusName[]];
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

/** Statuses with no way out. */
export type TerminalStatus = {
  [S in StatusName]: Transitions[S] extends readonly [] ? S : never;
}[StatusName];
export const TERMINAL_STATUSES = RUN_STATUSES.filter(
  (s) => RUN_TRANSITIONS[s].length === 0,
) as readonly TerminalStatus[];

export function isTerminal(status: RunStatus): status is TerminalStatus {
  return RUN_TRANSITIONS[status].length === 0;
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return (RUN_TRANSITIONS[from] as readonly RunStatus[]).includes(to);
}

/** Every status that may move to `to` (e.g. the statuses a cancel applies to). */
export function statusesThatCanBecome(to: RunStatus): RunStatus[] {
  return RUN_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * The attempt fence described above, written once for the API's status changes and the ingestion of
 * worker events. `attempt` is the attempt a change comes from (an event) or hands the run to (a retry
 * the API schedules: `handover`). Returns the run's attempt after the change, or null when the change
 * is fenced off: anything from a lower attempt, and a takeover (running→running) or handover that is
 * not from a higher one. `to` is null for a change that moves no status (an epoch row).
 */
export function attemptAfter(
  run: { status: RunStatus; attempt: number },
  to: RunStatus | null,
  attempt: number,
  handover = false,
): number | null {
  if (attempt < run.attempt) return null;
  const takeover = to === 'running' && run.status === 'running';
  if ((takeover || handover) && attempt === run.attempt) return null;
  return attempt;
}
