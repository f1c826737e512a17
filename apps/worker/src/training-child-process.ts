import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendName, EpochMetrics, TrainJobPayload } from '@sweeplab/shared';
import { ChildToParent, type ParentToChild } from './child-protocol.ts';

export interface ChildStartInfo {
  backend: BackendName;
  tfjsVersion: string;
  device: string;
}

/** The child died or reported an error; `permanent` errors are not worth a retry. */
export class TrainingChildError extends Error {
  override name = 'TrainingChildError';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface TrainingChildOptions {
  payload: TrainJobPayload;
  resumeFrom: Uint8Array | null;
  env: NodeJS.ProcessEnv;
  start: Omit<Extract<ParentToChild, { type: 'start' }>, 'type' | 'payload' | 'resumeFrom'>;
  onStarted: (info: ChildStartInfo) => Promise<void>;
  /** Persist the epoch and its checkpoint; the child waits for this before training on. */
  onEpoch: (metrics: EpochMetrics, checkpoint: Uint8Array) => Promise<void>;
  /** How long an aborted child gets to stop by itself before SIGKILL. */
  killAfterMs: number;
  maxOldSpaceMb?: number | undefined;
}

const childEntry = fileURLToPath(new URL('./training-child.ts', import.meta.url));

/** One training child process for one job attempt; `abort()` stops it between batches. */
export class TrainingChild {
  private readonly child;
  private killTimer: NodeJS.Timeout | undefined;
  readonly done: Promise<{ aborted: boolean }>;

  constructor(private readonly options: TrainingChildOptions) {
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
    this.done = this.supervise();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  abort(reason: string): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'abort', reason } satisfies ParentToChild);
    this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), this.options.killAfterMs);
  }

  private supervise(): Promise<{ aborted: boolean }> {
    const { child, options } = this;
    return new Promise((resolve, reject) => {
      let result: { aborted: boolean } | null = null;
      let reported: TrainingChildError | null = null;
      let chain = Promise.resolve();
      let handlerError: unknown = null;

      child.on('message', (raw) => {
        const parsed = ChildToParent.safeParse(raw);
        if (!parsed.success) {
          reported = new TrainingChildError(`child sent an invalid message: ${parsed.error.message}`, false);
          child.kill('SIGKILL');
          return;
        }
        const message = parsed.data;
        // Handle messages strictly in order: an epoch must be stored before `done` is acted on.
        chain = chain.then(async () => {
          if (handlerError) return;
          try {
            if (message.type === 'started') await options.onStarted(message);
            else if (message.type === 'epoch') {
              await options.onEpoch(message.metrics, message.checkpoint);
              if (child.connected)
                child.send({ type: 'epoch-ack', epoch: message.metrics.epoch } satisfies ParentToChild);
            } else if (message.type === 'done') result = { aborted: message.aborted };
            else reported = new TrainingChildError(message.message, message.permanent);
          } catch (err) {
            handlerError = err;
            child.kill('SIGKILL');
          }
        });
      });
      child.once('error', (err) => {
        reported ??= new TrainingChildError(`could not run the training child: ${err.message}`, false);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(this.killTimer);
        void chain.then(() => {
          if (handlerError) return reject(handlerError);
          if (reported) return reject(reported);
          if (result) return resolve(result);
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new TrainingChildError(`training child ${how} before finishing`, false));
        });
      });
      child.send({
        type: 'start',
        payload: options.payload,
        resumeFrom: options.resumeFrom,
        ...options.start,
      } satisfies ParentToChild);
    });
  }
}
