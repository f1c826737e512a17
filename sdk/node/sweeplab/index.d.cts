/** The run's parameters under the sweep's names ({} outside a worker). */
export function init(): Record<string, unknown>;
/** Record numeric values at a step (default: one more than the last step logged, 0 first). */
export function log(values: Record<string, number>, step?: number): void;
/** True once the worker asked this run to stop (SIGTERM follows). */
export function shouldStop(): boolean;
export function should_stop(): boolean;
