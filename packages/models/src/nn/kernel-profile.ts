import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-kernel timing of a backend, attributed to the layer and pass that dispatched each kernel. While
 * a profile runs, every kernel registered for the backend is wrapped with a timer (kernels are
 * synchronous on wasm and cpu, so wall time around the call is the kernel's time); layers name
 * themselves with `profileScope`, which costs one branch when no profile runs.
 */
export interface KernelTiming {
  /** Layer name, or a phase such as `loss` or `optimizer`. */
  scope: string;
  /** forward, dX, dW, bias, relu', pool', ... */
  part: string;
  kernel: string;
  calls: number;
  ms: number;
}

let timings: Map<string, KernelTiming> | undefined;
let scope = '(unscoped)';
let part = '';
let restore: (() => void) | undefined;

/** Runs `fn` with its kernels attributed to (`name`, `pass`); inner scopes win. */
export function profileScope<T>(name: string, pass: string, fn: () => T): T {
  if (!timings) return fn();
  const outer = [scope, part] as const;
  scope = name;
  part = pass;
  try {
    return fn();
  } finally {
    [scope, part] = outer;
  }
}

/** Attributes `fn`'s kernels to `pass` of the current scope (e.g. a ReLU's backward inside a layer). */
export function profilePart<T>(pass: string, fn: () => T): T {
  return profileScope(scope, pass, fn);
}

/**
 * `clock` returns milliseconds: wall time by default; a CPU-time clock (process.cpuUsage) keeps the
 * profile readable on a machine busy with other work.
 */
export function startKernelProfile(
  backendName: string = tf.getBackend(),
  clock: () => number = () => performance.now(),
): void {
  if (timings) throw new Error('a kernel profile is already running');
  timings = new Map();
  const originals = tf.getKernelsForBackend(backendName);
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const started = clock();
        const out = config.kernelFunc(args);
        record(config.kernelName, clock() - started);
        return out;
      },
    });
  }
  restore = () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  };
}

/** Stops the profile, restores the plain kernels, and returns what was recorded. */
export function stopKernelProfile(): KernelTiming[] {
  const result = [...(timings?.values() ?? [])];
  restore?.();
  restore = undefined;
  timings = undefined;
  return result;
}

function record(kernel: string, ms: number): void {
  const key = `${scope}\u0000${part}\u0000${kernel}`;
  const entry = timings!.get(key);
  if (entry) {
    entry.calls++;
    entry.ms += ms;
  } else {
    timings!.set(key, { scope, part, kernel, calls: 1, ms });
  }
}
