import { bar, duration, fixed } from './format.ts';
import { type RunProgress, type SweepProgress, stateLabel } from './sweep-progress.ts';

export interface ProgressView {
  update(progress: SweepProgress): void;
  /** Leaves the terminal clean (cursor shown, last frame kept). */
  close(): void;
}

function summaryLine(p: SweepProgress): string {
  const done = p.runs.filter((r) => r.status !== 'queued' && r.status !== 'running').length;
  const eta = Math.max(0, ...p.runs.map((r) => r.etaSeconds ?? 0));
  return `${p.name} (${p.id}): ${done}/${p.runs.length} runs finished${p.finished ? '' : `, ETA ${duration(eta)}`}`;
}

/**
 * On a terminal: one bar per run, redrawn in place (epoch x/y, current val_acc, state, ETA). The frame
 * is rewritten from its first line each time, so other output never interleaves with it.
 */
export class TtyProgressView implements ProgressView {
  private lines = 0;
  private searchEnded: string | null = null;

  constructor(private readonly out: NodeJS.WriteStream) {
    out.write('\x1b[?25l');
  }

  update(p: SweepProgress): void {
    const width = this.out.columns || 100;
    const idWidth = Math.max(...p.runs.map((r) => r.id.length), 0);
    const labelWidth = Math.max(...p.runs.map((r) => r.label.length), 0);
    // The label (model, lr, seed) is the first thing to go on a narrow terminal: the rest is the progress.
    const tailOf = (r: RunProgress) =>
      ` ${`${r.epoch}/${r.epochs}`.padStart(String(r.epochs).length * 2 + 1)}  val_acc ${fixed(r.valAcc)}  ${stateLabel(r.status).padEnd(13)}  ETA ${duration(r.etaSeconds)}`;
    const tailWidth = Math.max(...p.runs.map((r) => tailOf(r).length), 0);
    const withLabel = idWidth + 2 + labelWidth + 2 + 7 + tailWidth < width;
    const row = (r: RunProgress) => {
      const head = `${r.id.padEnd(idWidth)}  ${withLabel ? `${r.label.padEnd(labelWidth)}  ` : ''}`;
      const tail = tailOf(r);
      // The bar takes what the terminal has left (5 to 30 cells); a line never wraps.
      const barWidth = Math.max(5, Math.min(30, width - 1 - head.length - tailWidth - 2));
      const text = `${head}${bar(r.epoch, r.epochs, barWidth)}${tail}`;
      return text.length > width - 1 ? text.slice(0, width - 1) : text;
    };
    // A frame taller than the terminal cannot be redrawn in place: show the running runs first, then
    // the others, and count what does not fit.
    const room = Math.max(3, (this.out.rows || 24) - 2);
    let shown = p.runs;
    let hidden = '';
    if (p.runs.length > room) {
      const order = (r: RunProgress) => (r.status === 'running' ? 0 : r.status === 'queued' ? 2 : 1);
      shown = [...p.runs].sort((a, b) => order(a) - order(b)).slice(0, room - 1);
      const counts = new Map<string, number>();
      for (const r of p.runs.filter((r) => !shown.includes(r))) {
        counts.set(stateLabel(r.status), (counts.get(stateLabel(r.status)) ?? 0) + 1);
      }
      hidden = `… ${p.runs.length - shown.length} more: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
    }
    // Why the search ended, cut to the width here (a wrapped line breaks the redraw); close() prints it whole.
    this.searchEnded = p.searchEnded;
    const ended = p.searchEnded ? [p.searchEnded.slice(0, width - 1)] : [];
    const frame = [summaryLine(p), ...ended, ...shown.map(row), ...(hidden ? [hidden] : [])];
    let text = this.lines > 0 ? `\x1b[${this.lines}F` : '';
    for (const line of frame) text += `\x1b[2K${line}\n`;
    this.out.write(text);
    this.lines = frame.length;
  }

  close(): void {
    this.out.write(`\x1b[?25h${this.searchEnded ? `${this.searchEnded}\n` : ''}`);
  }
}

/** Not a terminal (CI logs, a pipe): one plain line whenever a run's epoch or state changes. */
export class PlainProgressView implements ProgressView {
  private readonly seen = new Map<string, string>();
  private searchEnded: string | null = null;

  constructor(private readonly out: NodeJS.WritableStream) {}

  update(p: SweepProgress): void {
    if (p.searchEnded && p.searchEnded !== this.searchEnded) {
      this.searchEnded = p.searchEnded;
      this.out.write(`${p.id} ${p.searchEnded}\n`);
    }
    for (const r of p.runs) {
      const key = `${r.status}:${r.epoch}`;
      if (this.seen.get(r.id) === key) continue;
      this.seen.set(r.id, key);
      const error = r.status === 'failed' && r.error ? ` error=${JSON.stringify(r.error)}` : '';
      this.out.write(
        `${r.id} ${r.label} epoch ${r.epoch}/${r.epochs} val_acc=${fixed(r.valAcc)} state=${stateLabel(r.status).replace(' ', '-')} eta=${duration(r.etaSeconds)}${error}\n`,
      );
    }
  }

  close(): void {}
}
