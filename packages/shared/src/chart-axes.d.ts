// Types of chart-axes.js for TypeScript consumers (the file itself stays plain JS for the browser, and
// shared's typecheck checks it against its JSDoc); keep the two in step.
export type AxisScale = 'linear' | 'log';
export interface Axis {
  lo: number;
  hi: number;
  scale: AxisScale;
  ticks: number[];
}
export function niceStep(span: number, targetTicks: number): number;
export function linearTicks(lo: number, hi: number, target: number): number[];
export function logTicks(lo: number, hi: number): number[];
export function drawable(value: number, scale: AxisScale): boolean;
export function epochAxis(epochs: number[], planned: number): Axis;
export function valueAxis(values: number[], scale: AxisScale, max?: number): Axis;
export function axisFraction(axis: Axis, value: number): number;
export function axisDataAttributes(x: Axis, y: Axis): { 'data-x-domain': string; 'data-y-domain': string };
