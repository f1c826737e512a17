import { RUN_CONDITION_FIELDS } from '@sweeplab/shared';
import { csvField } from './escape.ts';
import type { Report } from './report.ts';

export const CSV_COLUMNS = [
  'sweep_id',
  ...RUN_CONDITION_FIELDS,
  'model',
  'best_lr',
  'epoch',
  'n',
  'train_loss_mean',
  'train_loss_std',
  'val_acc_mean',
  'val_acc_std',
] as const;

/**
 * The checkpoint table in long form: one row per model × condition (lr, ...) × checkpoint epoch.
 * Full-precision numbers, accuracies as fractions, empty fields for missing values; RFC 4180
 * quoting and CRLF line ends.
 */
export function renderCsv(report: Report): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const group of report.groups) {
    const c = group.condition;
    for (const m of group.models) {
      for (const epoch of group.checkpoints) {
        const cell = group.checkpointTable.find((x) => x.model === m.model && x.epoch === epoch);
        const row = [
          report.sweep.id,
          ...RUN_CONDITION_FIELDS.map((f) => c[f]),
          m.model,
          m.bestLr,
          epoch,
          cell?.n ?? 0,
          cell?.trainLoss?.mean ?? null,
          cell?.trainLoss?.std ?? null,
          cell?.valAcc?.mean ?? null,
          cell?.valAcc?.std ?? null,
        ];
        lines.push(row.map(csvField).join(','));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
