import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  buildProgramArgv,
  PROGRAM_REPORT_FD,
  type ProgramJobPayload,
  parseProgramMessage,
  pythonJsonDumps,
} from '@sweeplab/shared';
import { TrainingChildError } from './child.ts';
import type { ServedProgram } from './programs.ts';

/** The folder of the Node.js `sweeplab` module, put on every program's NODE_PATH. */
export const NODE_MODULE_DIR = resolve(fileURLToPath(new URL('../../../sdk/node', import.meta.url)));

/** The folder holding the one-file `sweeplab` Python module, put on every program's PYTHONPATH. */
export const PYTHON_MODULE_DIR = resolve(fileURLToPath(new URL('../../../sdk/python', import.meta.url)));

/** How much of a program's stderr (and stdout) a run keeps for its error: the last 4 KiB. */
export const OUTPUT_TAIL_BYTES = 4096;

export interface ProgramRunOptions {
  program: ServedProgram;
  payload: ProgramJobPayload;
  attempt: number;
  /** The slot's GPU: the program sees only it (CUDA_VISIBLE_DEVICES). */
  gpu: string | null;
  /** SIGTERM first; SIGKILL to the process group this much later. */
  stopGraceMs: number;
  onStarted: (info: { pid: number }) => Promise<void>;
  /** Commit one logged step (fenced); a throw stops the program (superseded, Redis gone). */
  onLog: (step: number, values: Record<string, number>) => Promise<void>;
  /** The program's stdout (`o`) and stderr (`e`) as they come (kept as the run's logs). */
  onOutput?: (stream: 'o' | 'e', chunk: Buffer) => void;
}

/** The last `limit` bytes written to a stream. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.limit) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

/**
 * One run of a user's program: started from argv (never a shell) in its own process group, reporting
 * on fd 3 (JSON lines, program-messages.ts), told to stop by a stop file and SIGTERM, killed with
 * SIGKILL after the grace. Exit 0 completes the run; anything else fails it with the exit code or
 * signal and the last 4 KiB of stderr. It offers the worker what the training child offers (`pid`,
 * `abort`), so claiming, fencing, events, cancel and shutdown stay in processTrainJob.
 */
export class ProgramRun {
  private child: ChildProcess | null = null;
  private aborted = false;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly dir: string;
  private readonly stopFile: string;

  constructor(private readonly options: ProgramRunOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `sweeplab-run-${options.payload.run_id}-`));
    this.stopFile = join(this.dir, 'stop');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs the program to its end; resolves `{ aborted }`, rejects with the failure. */
  async run(): Promise<{ aborted: boolean }> {
    try {
      return await this.runInDir();
    } finally {
      clearTimeout(this.killTimer);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private environment(argsFile: string): NodeJS.ProcessEnv {
    const { program, payload, attempt, gpu } = this.options;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...program.env,
      SWEEPLAB_RUN_ID: payload.run_id,
      SWEEPLAB_SWEEP_ID: payload.sweep_id ?? '',
      SWEEPLAB_ATTEMPT: String(attempt),
      SWEEPLAB_PROGRAM: program.name,
      SWEEPLAB_PARAMS: pythonJsonDumps(payload.program_params),
      SWEEPLAB_PARAMS_FILE: argsFile,
      SWEEPLAB_STOP_FILE: this.stopFile,
      SWEEPLAB_REPORT_FD: String(PROGRAM_REPORT_FD),
      SWEEPLAB_METRIC: payload.metric?.name ?? '',
      PYTHONPATH: [PYTHON_MODULE_DIR, process.env.PYTHONPATH].filter(Boolean).join(':'),
      NODE_PATH: [NODE_MODULE_DIR, process.env.NODE_PATH].filter(Boolean).join(':'),
    };
    if (gpu !== null) env.CUDA_VISIBLE_DEVICES = gpu;
    return env;
  }

  private runInDir(): Promise<{ aborted: boolean }> {
    const { program, payload } = this.options;
    const argsFile = join(this.dir, 'args.json');
    writeFileSync(argsFile, pythonJsonDumps(payload.program_params));
    const env = this.environment(argsFile);
    const argv = buildProgramArgv({
      command: payload.command,
      interpreter: program.interpreter,
      program: program.path,
      params: payload.program_params,
      argsJsonFile: argsFile,
      env,
    });
    const [file, ...args] = argv;
    if (file === undefined) {
      return Promise.reject(new TrainingChildError('the command is empty', 'program-failed'));
    }
    const child = spawn(file, args, {
      cwd: program.cwd,
      env,
      // Its own process group, so a stop reaches whatever the program started too.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    const stderr = new Tail(OUTPUT_TAIL_BYTES);
    const output = this.options.onOutput ?? (() => {});
    child.stdout?.on('data', (chunk: Buffer) => output('o', chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      output('e', chunk);
    });

    let chain: Promise<void> = Promise.resolve();
    let failure: Error | null = null;
    const fail = (err: Error) => {
      failure ??= err;
      this.signal('SIGKILL');
    };
    if (child.pid !== undefined) {
      const pid = child.pid;
      chain = chain.then(() => this.options.onStarted({ pid })).catch((err: Error) => fail(err));
    }
    const report = child.stdio[PROGRAM_REPORT_FD];
    let lineNo = 0;
    let lastStep = -1;
    if (report && 'on' in report) {
      const lines = createInterface({
        input: report as NodeJS.ReadableStream,
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      lines.on('line', (line) => {
        lineNo++;
        if (line.trim() === '' || failure) return;
        const parsed = parseProgramMessage(line);
        if (!parsed.ok) {
          fail(new TrainingChildError(`report line ${lineNo}: ${parsed.error}`, 'program-failed'));
          return;
        }
        const message = parsed.message;
        const step = message.step ?? lastStep + 1;
        lastStep = Math.max(lastStep, step);
        chain = chain
          .then(() => (failure ? undefined : this.options.onLog(step, message.values)))
          .catch((err: Error) => fail(err));
      });
    }

    return new Promise((resolvePromise, reject) => {
      child.once('error', (err) => {
        failure ??= new TrainingChildError(
          `could not start ${argv.join(' ')}: ${err.message}`,
          'program-failed',
        );
      });
      child.once('close', (code, signal) => {
        void chain.then(() => {
          if (failure) reject(failure);
          else if (this.aborted) resolvePromise({ aborted: true });
          else if (code === 0) resolvePromise({ aborted: false });
          else {
            const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
            const tail = stderr.text();
            reject(
              new TrainingChildError(
                `program ${program.name} ${how}${tail ? `; stderr (last 4 KiB):\n${tail}` : ''}`,
                'program-failed',
              ),
            );
          }
        });
      });
    });
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null || this.child?.signalCode !== null) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  /** SIGKILL to the group now (the worker is going away and must not leave the program behind). */
  kill(): void {
    this.signal('SIGKILL');
  }

  /** Stop: the stop file (should_stop() turns true), SIGTERM to the group, SIGKILL after the grace. */
  abort(_reason: string): void {
    if (this.aborted) return;
    this.aborted = true;
    try {
      writeFileSync(this.stopFile, '');
    } catch {
      // The run's folder is gone: the program has finished.
    }
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), this.options.stopGraceMs);
    this.killTimer.unref();
  }
}
