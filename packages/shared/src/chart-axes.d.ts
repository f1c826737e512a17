// Types of chart-axes.js for TypeScript consumers (the file itself stays plain JS for the browser).
export function niceStep(span: number, targetTicks: number): number;
export function linearTicks(lo: number, hi: number, target: number): number[];
export function logTicks(lo: number, hi: number): number[];
