import { BUILTIN_PROGRAM } from './programs.ts';

/**
 * Every Redis key the system uses, derived from one prefix (REDIS_PREFIX) so that several deployments,
 * or test files, can share one Redis without touching each other's data.
 */
export function redisKeys(prefix: string) {
  return {
    prefix,
    /** BullMQ queue name; BullMQ itself is given `prefix` so its keys are `<prefix>:train:*`. */
    trainQueue: 'train',
    /**
     * The queue of one program's runs (the built-in program's is `train`): only workers serving the
     * program read it, so a job never reaches a worker that cannot run it, and waits while none can.
     */
    programQueue: (program: string) =>
      program === BUILTIN_PROGRAM ? 'train' : `program-${encodeURIComponent(program)}`,
    /** Stream of RunEvent entries, read by the API's ingester through a consumer group. */
    events: `${prefix}:events`,
    eventsGroup: 'ingester',
    /**
     * Events the ingester could not apply (a run its database does not know, an unknown schema
     * version, malformed JSON), each with `reason`, `detail` and its original `source_id`. Never
     * trimmed by sweeplab: an operator inspects it (XRANGE) and re-adds or deletes entries.
     */
    eventsDeadLetter: `${prefix}:events:dead-letter`,
    /**
     * The ingesting API's lease on this prefix (JSON LeaseHolder, with a TTL): one writer per prefix.
     * It names the holder's database file (its meta `database_id`), host and pid.
     */
    apiLease: `${prefix}:api-lease`,
    /** Worker heartbeat (JSON WorkerHeartbeat) with an expiry. */
    worker: (workerId: string) => `${prefix}:worker:${workerId}`,
    workerPattern: `${prefix}:worker:*`,
    /**
     * Fencing token: INCR'd by each worker that picks the run up; the value is that pickup's `attempt`.
     * Events, checkpoints and epoch rows from a lower attempt are ignored once a higher one exists.
     */
    attempt: (runId: string) => `${prefix}:attempt:${runId}`,
    /** Latest checkpoint of a run (binary), written after every epoch. */
    checkpoint: (runId: string) => `${prefix}:checkpoint:${runId}`,
    /**
     * Weights waiting for the API to store them as an artifact (hash: attempt, epoch, data = the epoch's
     * checkpoint); written with the epoch, fenced, and deleted by the API once the file and row exist.
     */
    artifactBlob: (runId: string, kind: string) => `${prefix}:artifact:${runId}:${kind}`,
    /** Best metric value so far of a run (hash: epoch, value), for deciding what a `best` artifact is. */
    bestMetric: (runId: string) => `${prefix}:best:${runId}`,
    /**
     * A program run's stdout and stderr (stream: `s` o|e, `a` attempt, `l` the line), capped at
     * RUN_LOG_MAX_LINES (oldest dropped first), expiring with the run's checkpoint TTL.
     */
    runLogs: (runId: string) => `${prefix}:logs:${runId}`,
    /** Set when a run is cancelled; workers check it before starting and between epochs. */
    cancelled: (runId: string) => `${prefix}:cancelled:${runId}`,
    /** Pub/sub channel announcing cancellations, so a running child stops within a batch or two. */
    cancelChannel: `${prefix}:cancel`,
  } as const;
}
export type RedisKeys = ReturnType<typeof redisKeys>;
