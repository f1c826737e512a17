import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendName, EpochMetrics, PermanentFailureCode, TrainJobPayload } from '@sweeplab/shared';
import { ChildToParent, type ParentToChild } from './child-protocol.ts';

export interface ChildStartInfo {
  backend: BackendName;
  tfjsVersion: string;
  device: string;
}

/** The child died or reported an error; a `permanent` one (its code says why) is not worth a retry. */
export class TrainingChildError extends Error {
  override name = 'TrainingChildError';
  constructor(
    message: string,
    readonly permanent: PermanentFailureCode | null,
  ) {
    super(message);
  }
}

export interface ChildJobOptions {
  payload: TrainJobPayload;
  resumeFrom: Uint8Array | null;
  start: Omit<Extract<ParentToChild, { type: 'start' }>, 'type' | 'payload' | 'resumeFrom'>;
  onStarted: (info: ChildStartInfo) => Promise<void>;
  /** Persist the epoch and its checkpoint; the child waits for this before training on. */
  onEpoch: (metrics: EpochMetrics, checkpoint: Uint8Array) => Promise<void>;
}

interface ActiveJob {
  options: ChildJobOptions;
  /** Messages are handled strictly in order: an epoch is stored before `done` is acted on. */
  chain: Promise<void>;
  resolve: (result: { aborted: boolean }) => void;
  reject: (err: unknown) => void;
}

const childEntry = fileURLToPath(new URL('./child-main.ts', import.meta.url));

/**
 * A training child process that runs one job at a time and stays warm between jobs, so a job pays
 * neither Node's start-up nor the backend and dataset loading. `abort()` stops the current job
 * between batches; a child that does not stop within `killAfterMs` is killed.
 */
export class TrainingChild {
  private readonly child: ChildProcess;
  /** Settles when the child has loaded what it trains with (or died trying). */
  readonly ready: Promise<void>;
  private markReady: () => void = () => {};
  private job: ActiveJob | null = null;
  private killTimer: NodeJS.Timeout | undefined;
  private crash: string | null = null;
  /** Set once the child reported an error: it is exiting and must not be handed another job. */
  private retiring = false;
  jobsStarted = 0;

  /** Jobs this child runs before the worker replaces it. */
  readonly maxJobs: number;

  constructor(options: {
    env: NodeJS.ProcessEnv;
    maxOldSpaceMb?: number | undefined;
    killAfterMs: number;
    maxJobs: number;
  }) {
    this.killAfterMs = options.killAfterMs;
    this.maxJobs = options.maxJobs;
    this.child = fork(childEntry, [], {
      env: options.env,
      execArgv: [
        '--import',
        'tsx',
        ...(options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : []),
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.child.on('message', (raw) => this.onMessage(raw));
    this.child.once('error', (err) => {
      this.crash ??= `could not run the training child: ${err.message}`;
    });
    this.child.once('exit', (code, signal) => {
      clearTimeout(this.killTimer);
      this.markReady();
      this.crash ??= `training child ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before finishing`;
      const job = this.job;
      if (job)
        void job.chain.then(() =>
          this.settle(job, { error: new TrainingChildError(this.crash ?? 'child exited', null) }),
        );
    });
  }

  private readonly killAfterMs: number;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Alive, connected and idle: it can take the next job. */
  get idle(): boolean {
    return (
      this.job === null &&
      !this.retiring &&
      this.child.exitCode === null &&
      this.child.signalCode === null &&
      this.child.connected
    );
  }

  run(options: ChildJobOptions): Promise<{ aborted: boolean }> {
    if (!this.idle) return Promise.reject(new TrainingChildError('training child is busy or gone', null));
    this.jobsStarted++;
    return new Promise((resolve, reject) => {
      const job: ActiveJob = { options, chain: this.ready, resolve, reject };
      this.job = job;
      // A fresh child takes the job once it has loaded; the exit handler covers one that never does.
      job.chain = job.chain.then(() => {
        if (this.job !== job || !this.child.connected) return;
        this.child.send({
          type: 'start',
          payload: options.payload,
          resumeFrom: options.resumeFrom,
          ...options.start,
        } satisfies ParentToChild);
      });
    });
  }

  abort(reason: string): void {
    if (!this.job || this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'abort', reason } satisfies ParentToChild);
    this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), this.killAfterMs);
  }

  /** Stops the process (idle or not); a job in progress fails as a crash. */
  kill(): void {
    this.retiring = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private settle(job: ActiveJob, outcome: { result: { aborted: boolean } } | { error: unknown }): void {
    if (this.job !== job) return;
    this.job = null;
    clearTimeout(this.killTimer);
    this.killTimer = undefined;
    if ('result' in outcome) job.resolve(outcome.result);
    else job.reject(outcome.error);
  }

  private onMessage(raw: unknown): void {
    const job = this.job;
    const parsed = ChildToParent.safeParse(raw);
    if (parsed.success && parsed.data.type === 'ready') {
      this.markReady();
      return;
    }
    if (!job) return;
    if (!parsed.success) {
      this.crash = `child sent an invalid message: ${parsed.error.message}`;
      this.kill();
      return;
    }
    const message = parsed.data;
    job.chain = job.chain.then(async () => {
      if (this.job !== job) return;
      try {
        if (message.type === 'ready') return;
        if (message.type === 'started') await job.options.onStarted(message);
        else if (message.type === 'epoch') {
          await job.options.onEpoch(message.metrics, message.checkpoint);
          if (this.child.connected) {
            this.child.send({ type: 'epoch-ack', epoch: message.metrics.epoch } satisfies ParentToChild);
          }
        } else if (message.type === 'done') this.settle(job, { result: { aborted: message.aborted } });
        else {
          // The child exits after reporting an error; settle now with its own words.
          this.retiring = true;
          this.settle(job, { error: new TrainingChildError(message.message, message.permanent) });
        }
      } catch (err) {
        // Storing failed (Redis down, attempt superseded): this job is over and the child must stop.
        this.settle(job, { error: err });
        this.kill();
      }
    });
  }
}
