import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { BackendName, BackendPreference } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadSimdModule } from '../nn/simd-module.ts';

export interface BackendInfo {
  backend: BackendName;
  tfjsVersion: string;
  /** What actually computes, e.g. 'AMD EPYC, 1 thread (wasm simd)' or a GPU's name. */
  device: string;
}

/** The requested backend cannot be used here; says why. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

let current: BackendInfo | undefined;

/** The backend chosen by the last `initBackend`, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * Selects a TF.js backend. `auto` tries, in order: tfjs-node-gpu when a GPU is visible, tfjs-node,
 * wasm, cpu. The native packages are optional dependencies that need libtensorflow, so they are
 * loaded with a dynamic import and may simply be absent.
 */
export async function initBackend(preference: BackendPreference): Promise<BackendInfo> {
  const failures: string[] = [];
  const candidates: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  for (const candidate of candidates) {
    try {
      current = await activate(candidate);
      return current;
    } catch (err) {
      failures.push(`${candidate}: ${(err as Error).message}`);
    }
  }
  throw new BackendUnavailableError(
    `No usable TF.js backend for TFJS_BACKEND=${preference}:\n  ${failures.join('\n  ')}`,
  );
}

async function activate(name: BackendName): Promise<BackendInfo> {
  switch (name) {
    case 'tensorflow':
      return activateNative();
    case 'wasm':
      return activateWasm();
    case 'cpu':
      await setBackendOrThrow('cpu');
      return { backend: 'cpu', tfjsVersion: tf.version_core, device: `${cpuModel()} (tfjs cpu backend, JS)` };
  }
}

async function setBackendOrThrow(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new BackendUnavailableError(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

let wasmPathsSet = false;

async function activateWasm(): Promise<BackendInfo> {
  if (!wasmPathsSet) {
    // In Node the wasm binaries are read from disk; point the loader at the package's dist folder.
    const require = createRequire(import.meta.url);
    setWasmPaths(
      `${path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`,
    );
    wasmPathsSet = true;
  }
  await setBackendOrThrow('wasm');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  // Without the SIMD module every convolution runs direct (XNNPACK): slower, results within float
  // rounding. The device string says which, so a run's record tells.
  const unavailable = simd ? await loadSimdModule() : 'no wasm SIMD';
  const winograd = unavailable === undefined ? 'Winograd SIMD' : 'direct convolutions only';
  return {
    backend: 'wasm',
    tfjsVersion: tf.version_core,
    device: `${cpuModel()}, 1 thread (wasm${simd ? ' simd' : ''}, XNNPACK, ${winograd})`,
  };
}

async function activateNative(): Promise<BackendInfo> {
  const gpuName = visibleGpuName();
  const packages = gpuName
    ? ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']
    : ['@tensorflow/tfjs-node'];
  const errors: string[] = [];
  for (const pkg of packages) {
    try {
      // A non-literal specifier keeps TypeScript from requiring the (optional, often absent) package.
      await import(pkg);
      await setBackendOrThrow('tensorflow');
      const onGpu = pkg.endsWith('-gpu');
      return {
        backend: 'tensorflow',
        tfjsVersion: tf.version_core,
        device: onGpu ? `${gpuName} (${pkg})` : `${cpuModel()}, ${os.cpus().length} cores (${pkg})`,
      };
    } catch (err) {
      errors.push(`${pkg} not loadable (${firstLine((err as Error).message)})`);
    }
  }
  throw new BackendUnavailableError(errors.join('; '));
}

function visibleGpuName(): string | undefined {
  if (process.env.CUDA_VISIBLE_DEVICES === '' || process.env.CUDA_VISIBLE_DEVICES === '-1') return undefined;
  if (!existsSync('/proc/driver/nvidia/gpus') && !existsSync('/dev/nvidia0')) return undefined;
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    return firstLine(out) || 'NVIDIA GPU';
  } catch {
    return 'NVIDIA GPU';
  }
}

export function cpuModel(): string {
  return os.cpus()[0]?.model.trim() ?? os.arch();
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
