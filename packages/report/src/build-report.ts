import {
  compareModelNames,
  isModelName,
  isTerminal,
  MODEL_CATALOG,
  parameterCount,
  pickFields,
  REFERENCE_RECIPE,
  RUN_CONDITION_FIELDS,
  RUN_STATUSES,
  type RunConditionField,
  type RunStatus,
  type TrainingRecipe,
} from '@sweeplab/shared';
import { checkpointEpochs } from './checkpoint-epochs.ts';
import { mean, summarize } from './descriptive-stats.ts';
import type {
  Band,
  CheckpointCell,
  Comparison,
  Condition,
  ConditionGroup,
  CurvePoint,
  ExcludedRun,
  ModelCurve,
  ModelSummary,
  ReachSummary,
  Report,
  RunResult,
} from './report.ts';
import {
  assertValidReportInput,
  type ReportEpochRow,
  type ReportInput,
  type ReportRunRow,
} from './report-input.ts';
import { comparisonVerdict, SIGNIFICANCE_LEVEL } from './verdict.ts';
import { welchTTest } from './welch-t-test.ts';

/**
 * Accuracies come out of float32 arithmetic (9800/10000 may be stored as 0.97999996), and a
 * validation set of ≤ 10,000 images moves accuracy in steps of ≥ 1e-4, so this tolerance can only
 * absorb rounding, never a real miss.
 */
export const THRESHOLD_TOLERANCE = 1e-6;
const REACH_THRESHOLDS = [0.98, 0.99] as const;

/** Pure: the same rows give the same report, byte for byte (no clock, no randomness). */
export function buildReport(input: ReportInput): Report {
  assertValidReportInput(input);
  const warnings: string[] = [];
  const rowsByRun = new Map<string, ReportEpochRow[]>();
  for (const row of input.epochs) {
    const list = rowsByRun.get(row.run_id) ?? [];
    list.push(row);
    rowsByRun.set(row.run_id, list);
  }
  for (const list of rowsByRun.values()) list.sort((a, b) => a.epoch - b.epoch);

  const summaries = new Map<string, RunResult>();
  for (const run of input.runs) {
    summaries.set(run.id, runResult(run, rowsByRun.get(run.id) ?? [], warnings));
  }

  const byCondition = new Map<string, { condition: Condition; runs: ReportRunRow[] }>();
  for (const run of input.runs) {
    const condition = conditionOf(run);
    const key = conditionKey(condition);
    const entry = byCondition.get(key) ?? { condition, runs: [] };
    entry.runs.push(run);
    byCondition.set(key, entry);
  }

  const groups: ConditionGroup[] = [...byCondition.entries()]
    .sort(([, a], [, b]) => compareConditions(a.condition, b.condition))
    .map(([key, { condition, runs }]) => buildGroup(key, condition, runs, summaries, rowsByRun));
  markBestLearningRates(groups);

  const excludedRuns: ExcludedRun[] = [];
  for (const group of groups) {
    for (const run of group.runs) {
      if (run.inStatistics) continue;
      excludedRuns.push({
        runId: run.runId,
        model: run.model,
        seed: run.seed,
        groupKey: group.key,
        lr: group.condition.lr,
        status: run.status,
        attempt: run.attempt,
        epochsRecorded: run.epochsRecorded,
        epochsPlanned: group.condition.epochs,
        error: run.error,
        reason: exclusionReason(run, group.condition.epochs),
      });
    }
  }

  const progress = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const run of input.runs) progress[run.status] += 1;

  return {
    schemaVersion: 1,
    sweep: {
      id: input.sweep.id,
      name: input.sweep.name,
      method: input.sweep.method,
      createdAt: input.sweep.created_at,
      metric: input.sweep.metric ?? null,
      searchEnded: input.sweep.search?.reason
        ? `${input.sweep.search.status}: ${input.sweep.search.reason}`
        : null,
    },
    progress: {
      ...progress,
      total: input.runs.length,
      inProgress: RUN_STATUSES.some((s) => !isTerminal(s) && progress[s] > 0),
    },
    learningRates: [...new Set(input.runs.map((r) => r.lr))].sort((a, b) => a - b),
    groups,
    excludedRuns,
    warnings,
    source: { runRows: input.runs.length, epochRows: input.epochs.length },
    ...(input.bestWeights ? { bestWeights: input.bestWeights } : {}),
  };
}

function conditionOf(run: ReportRunRow): Condition {
  return pickFields(run, RUN_CONDITION_FIELDS);
}

/** Short names that keep existing condition keys stable; any other field appears as `name=value`. */
const KEY_NAMES: Partial<Record<RunConditionField, string>> = {
  batch_size: 'bs',
  momentum: 'm',
  epochs: 'ep',
  train_subset: 'train',
  val_subset: 'val',
};

/**
 * `dataset|lr=…|bs=…|…` over the condition fields in schema order; null (no subset) reads "all". The
 * training-recipe fields appear only where they differ from the reference recipe, so keys of
 * reference runs read as they always did.
 */
export function conditionKey(c: Condition): string {
  return RUN_CONDITION_FIELDS.filter((f) => !isReferenceRecipeValue(f, c[f]))
    .map((f) => (f === 'dataset' ? c.dataset : `${KEY_NAMES[f] ?? f}=${c[f] ?? 'all'}`))
    .join('|');
}

function isReferenceRecipeValue(field: string, value: unknown): boolean {
  return Object.hasOwn(REFERENCE_RECIPE, field) && REFERENCE_RECIPE[field as keyof TrainingRecipe] === value;
}

/** Sections sort by every condition field in schema order but lr, then lr: one lr family sits together. */
const SORT_FIELDS: readonly RunConditionField[] = [...RUN_CONDITION_FIELDS.filter((f) => f !== 'lr'), 'lr'];

/** Strings by locale, numbers and booleans numerically, null (e.g. "all images") last. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return Number(a) - Number(b);
}

/** Everything but lr: conditions that differ only in lr compete for "best lr". */
function familyKey(c: Condition): string {
  return conditionKey({ ...c, lr: 0 });
}

function compareConditions(a: Condition, b: Condition): number {
  for (const f of SORT_FIELDS) {
    const order = compareValues(a[f], b[f]);
    if (order !== 0) return order;
  }
  return 0;
}

/** From the catalog at the condition's depth; null for a model this version does not know. */
function parameters(model: string, depth: number): number | null {
  if (!isModelName(model) || (depth !== 1 && !MODEL_CATALOG[model].hasDepth)) return null;
  return parameterCount(model, depth);
}

function firstReaching(rows: readonly ReportEpochRow[], threshold: number): number | null {
  for (const row of rows) if (row.val_acc >= threshold - THRESHOLD_TOLERANCE) return row.epoch;
  return null;
}

function finiteMean(values: number[]): number | null {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? null : mean(finite);
}

function runResult(run: ReportRunRow, rows: readonly ReportEpochRow[], warnings: string[]): RunResult {
  const last = rows.at(-1);
  const finalRow = rows.find((r) => r.epoch === run.epochs);
  let best: ReportEpochRow | undefined;
  for (const row of rows) {
    // Strictly greater keeps the earliest epoch on ties: "epoch of the best" = first time it was seen.
    if (Number.isFinite(row.val_acc) && (best === undefined || row.val_acc > best.val_acc)) best = row;
  }
  for (const row of rows) {
    for (const field of ['train_loss', 'val_acc'] as const) {
      if (!Number.isFinite(row[field])) {
        warnings.push(
          `run ${run.id} (${run.model}, seed ${run.seed}) has ${field} = ${row[field]} at epoch ${row.epoch}; it is left out of means.`,
        );
      }
    }
  }
  if (last !== undefined && last.epoch > run.epochs) {
    warnings.push(
      `run ${run.id} (${run.model}, seed ${run.seed}) has rows up to epoch ${last.epoch} but was configured for ${run.epochs} epochs.`,
    );
  }
  const finalValAcc = finalRow !== undefined && Number.isFinite(finalRow.val_acc) ? finalRow.val_acc : null;
  const inStatistics = run.status === 'completed' && finalValAcc !== null;
  if (run.status === 'completed' && finalValAcc === null) {
    warnings.push(
      `run ${run.id} (${run.model}, seed ${run.seed}) is completed but has no usable row for its final epoch ${run.epochs}; it is left out of the statistics.`,
    );
  }
  return {
    runId: run.id,
    model: run.model,
    seed: run.seed,
    status: run.status,
    attempt: run.attempt,
    backend: run.backend,
    device: run.device,
    error: run.error,
    earlyStop: run.early_stop ?? null,
    epochsRecorded: rows.length,
    lastEpoch: last?.epoch ?? null,
    finalValAcc,
    finalTrainLoss:
      finalRow !== undefined && Number.isFinite(finalRow.train_loss) ? finalRow.train_loss : null,
    bestValAcc: best?.val_acc ?? null,
    bestEpoch: best?.epoch ?? null,
    epochsTo98: firstReaching(rows, REACH_THRESHOLDS[0]),
    epochsTo99: firstReaching(rows, REACH_THRESHOLDS[1]),
    secondsPerEpoch: finiteMean(rows.map((r) => r.epoch_seconds)),
    imagesPerSecond: finiteMean(rows.map((r) => r.images_per_second)),
    inStatistics,
  };
}

function exclusionReason(run: RunResult, planned: number): string {
  switch (run.status) {
    case 'failed':
      return `failed after ${run.epochsRecorded} of ${planned} epochs`;
    case 'cancelled':
      return `cancelled after ${run.epochsRecorded} of ${planned} epochs`;
    case 'stopped': {
      const s = run.earlyStop;
      const why = s ? `: ${fmtValue(s.value)} at band ${s.band}, threshold ${fmtValue(s.threshold)}` : '';
      return `stopped early by hyperband after ${run.epochsRecorded} of ${planned} epochs${why}`;
    }
    case 'queued':
      return 'still queued';
    case 'running':
      return `still running (${run.epochsRecorded} of ${planned} epochs so far)`;
    case 'completed':
      return `completed without a usable row for epoch ${planned}`;
  }
}

const nonNull = <T>(x: T | null): x is T => x !== null;

function reach(threshold: number, values: Array<number | null>): ReachSummary {
  const reachedEpochs = values.filter(nonNull);
  return {
    threshold,
    reached: reachedEpochs.length,
    of: values.length,
    epochs: summarize(reachedEpochs),
    perRun: values,
  };
}

function band(values: number[]): Band | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  return { mean: mean(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

function buildGroup(
  key: string,
  condition: Condition,
  runs: ReportRunRow[],
  summaries: Map<string, RunResult>,
  rowsByRun: Map<string, ReportEpochRow[]>,
): ConditionGroup {
  const orderedRuns = [...runs].sort(
    (a, b) => compareModelNames(a.model, b.model) || a.seed - b.seed || a.attempt - b.attempt,
  );
  const runSummaries = orderedRuns.map((r) => summaries.get(r.id)!);
  const modelNames = [...new Set(orderedRuns.map((r) => r.model))];
  const checkpoints = checkpointEpochs(condition.epochs);
  const notes: string[] = [];

  const models: ModelSummary[] = [];
  const checkpointTable: CheckpointCell[] = [];
  const curves: ModelCurve[] = [];
  const finals = new Map<string, number[]>();

  for (const model of modelNames) {
    const all = runSummaries.filter((r) => r.model === model);
    const used = all.filter((r) => r.inStatistics);
    finals.set(model, used.map((r) => r.finalValAcc).filter(nonNull));
    models.push(summarizeModel(model, all, used, parameters(model, condition.depth)));
    if (used.length === 0)
      notes.push(`${model} has no completed run under this condition, so it is in no statistic.`);
    checkpointTable.push(...checkpointCells(model, used, checkpoints, rowsByRun));
    curves.push(modelCurve(model, all, rowsByRun));
  }

  return {
    key,
    condition,
    checkpoints,
    models,
    checkpointTable,
    comparisons: pairwiseComparisons(modelNames, finals, notes),
    curves,
    runs: runSummaries,
    notes,
  };
}

/** One model under one condition: `used` are its runs in the statistics, `all` every run of it. */
function summarizeModel(
  model: string,
  all: RunResult[],
  used: RunResult[],
  parameters: number | null,
): ModelSummary {
  const describedBy = used.length > 0 ? used : all;
  return {
    model,
    parameters,
    backends: [...new Set(describedBy.map((r) => r.backend).filter(nonNull))].sort(),
    devices: [...new Set(describedBy.map((r) => r.device).filter(nonNull))].sort(),
    seeds: used.map((r) => r.seed),
    runsTotal: all.length,
    runsInStatistics: used.length,
    finalValAcc: summarize(used.map((r) => r.finalValAcc).filter(nonNull)),
    finalTrainLoss: summarize(used.map((r) => r.finalTrainLoss).filter(nonNull)),
    bestValAcc: summarize(used.map((r) => r.bestValAcc).filter(nonNull)),
    bestEpoch: summarize(used.map((r) => r.bestEpoch).filter(nonNull)),
    reach98: reach(
      0.98,
      used.map((r) => r.epochsTo98),
    ),
    reach99: reach(
      0.99,
      used.map((r) => r.epochsTo99),
    ),
    secondsPerEpoch: summarize(used.map((r) => r.secondsPerEpoch).filter(nonNull)),
    imagesPerSecond: summarize(used.map((r) => r.imagesPerSecond).filter(nonNull)),
    bestLr: null,
  };
}

/** The checkpoint table's cells of one model: training loss and validation accuracy at each epoch. */
function checkpointCells(
  model: string,
  used: RunResult[],
  checkpoints: number[],
  rowsByRun: Map<string, ReportEpochRow[]>,
): CheckpointCell[] {
  return checkpoints.map((epoch) => {
    const rows = used
      .map((r) => rowsByRun.get(r.runId)?.find((row) => row.epoch === epoch))
      .filter((row): row is ReportEpochRow => row !== undefined);
    return {
      model,
      epoch,
      n: rows.length,
      trainLoss: summarize(rows.map((r) => r.train_loss).filter(Number.isFinite)),
      valAcc: summarize(rows.map((r) => r.val_acc).filter(Number.isFinite)),
    };
  });
}

/** The mean learning curve of one model, with min–max bands and each point's own n. */
function modelCurve(model: string, all: RunResult[], rowsByRun: Map<string, ReportEpochRow[]>): ModelCurve {
  // Curves also show runs still in flight, so a live sweep has something to look at; each point
  // carries its own n, and the renderers say the curve is partial.
  const curveRuns = all.filter((r) => r.inStatistics || r.status === 'running');
  const byEpoch = new Map<number, ReportEpochRow[]>();
  for (const r of curveRuns) {
    for (const row of rowsByRun.get(r.runId) ?? []) {
      const list = byEpoch.get(row.epoch) ?? [];
      list.push(row);
      byEpoch.set(row.epoch, list);
    }
  }
  const points: CurvePoint[] = [...byEpoch.entries()]
    .sort(([a], [b]) => a - b)
    .map(([epoch, rows]) => ({
      epoch,
      n: rows.length,
      trainLoss: band(rows.map((r) => r.train_loss)),
      valAcc: band(rows.map((r) => r.val_acc)),
    }));
  return { model, runningRuns: curveRuns.filter((r) => r.status === 'running').length, points };
}

/** Welch's t-test of final validation accuracy for every pair of models; a pair that cannot be tested gets a note. */
function pairwiseComparisons(
  modelNames: string[],
  finals: Map<string, number[]>,
  notes: string[],
): Comparison[] {
  const comparisons: Comparison[] = [];
  for (let i = 0; i < modelNames.length; i++) {
    for (let j = i + 1; j < modelNames.length; j++) {
      const a = modelNames[i]!;
      const b = modelNames[j]!;
      const fa = finals.get(a) ?? [];
      const fb = finals.get(b) ?? [];
      if (fa.length === 0 || fb.length === 0) {
        notes.push(`${a} vs ${b}: not compared, because ${fa.length === 0 ? a : b} has no completed run.`);
        continue;
      }
      // Orient by mean so the difference reads as "higher minus lower"; ties keep catalog order.
      const [higher, lower, hv, lv] = mean(fb) > mean(fa) ? [b, a, fb, fa] : [a, b, fa, fb];
      const test = welchTTest(hv, lv);
      comparisons.push({
        metric: 'final_val_acc',
        higher,
        lower,
        test,
        significant: test.kind === 'tested' ? test.p < SIGNIFICANCE_LEVEL : null,
        verdict: comparisonVerdict(higher, lower, test),
      });
    }
  }
  return comparisons;
}

/** Per model, among conditions that differ only in lr, flag the lr with the highest mean final val acc. */
function markBestLearningRates(groups: ConditionGroup[]): void {
  const families = new Map<string, ConditionGroup[]>();
  for (const g of groups) {
    const k = familyKey(g.condition);
    families.set(k, [...(families.get(k) ?? []), g]);
  }
  for (const family of families.values()) {
    if (new Set(family.map((g) => g.condition.lr)).size < 2) continue;
    const models = new Set(family.flatMap((g) => g.models.map((m) => m.model)));
    for (const model of models) {
      const entries = family
        .map((g) => g.models.find((m) => m.model === model))
        .filter((m): m is ModelSummary => m !== undefined);
      // "Best" among fewer than two learning rates with data would be a label, not a finding.
      if (entries.filter((m) => m.finalValAcc !== null).length < 2) continue;
      let best: ModelSummary | undefined;
      for (const m of entries) {
        if (m.finalValAcc !== null && (best === undefined || m.finalValAcc.mean > best.finalValAcc!.mean))
          best = m;
      }
      for (const m of entries) m.bestLr = m === best;
    }
  }
}

/** Metric values in exclusion reasons: enough digits to compare a value with its threshold. */
function fmtValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
