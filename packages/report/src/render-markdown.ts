import { escapeMarkdown as md } from './escape.ts';
import {
  describeCondition,
  formatCount,
  formatP,
  formatParameters,
  formatPoints,
  formatReach,
  formatStat,
  lossNumber,
  lossStd,
  MISSING,
  percentNumber,
} from './format.ts';
import type { ConditionGroup, Report } from './report.ts';
import {
  CHECKPOINT_EXPLANATION,
  COMPARISON_EXPLANATION,
  checkpointHeading,
  hasSeveralLearningRates,
  IN_PROGRESS_NOTE,
  modelLabel,
  progressSentence,
} from './report-sections.ts';

function table(header: string[], align: Array<'l' | 'r'>, rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** GitHub-flavoured markdown, what the CLI prints; every user string is escaped. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const s = report.sweep;
  out.push(`# ${md(s.name)}`, '');
  const metric = s.metric ? ` · optimises ${md(s.metric.name)} (${s.metric.goal})` : '';
  out.push(
    `Sweep \`${s.id.replace(/`/g, "'")}\` · ${md(s.method)} · created ${md(s.createdAt)}${metric}`,
    '',
  );
  out.push(progressSentence(report), '');
  if (s.searchEnded) out.push(`> The search ${md(s.searchEnded)}`, '');
  if (report.progress.inProgress) out.push(`> ${IN_PROGRESS_NOTE}`, '');
  if (report.groups.length === 0) out.push('No runs yet.', '');

  const severalLr = hasSeveralLearningRates(report);
  for (const group of report.groups) out.push(...renderGroup(group, severalLr));

  if (report.excludedRuns.length > 0) {
    out.push('## Runs not in the statistics', '');
    out.push(
      ...table(
        ['run', 'model', 'seed', 'lr', 'status', 'epochs', 'reason', 'error'],
        ['l', 'l', 'r', 'r', 'l', 'r', 'l', 'l'],
        report.excludedRuns.map((r) => [
          `\`${r.runId.replace(/`/g, "'")}\``,
          md(r.model),
          String(r.seed),
          String(r.lr),
          r.status,
          `${r.epochsRecorded}/${r.epochsPlanned}`,
          md(r.reason),
          r.error === null ? MISSING : md(r.error),
        ]),
      ),
      '',
    );
  }
  if (report.bestWeights) {
    const b = report.bestWeights;
    out.push(
      '## Trained weights',
      '',
      `Best run by ${md(b.metric_name)}: \`${b.run_id}\` (${b.metric_value.toFixed(4)} at epoch ${b.epoch}, ${b.kind} weights) — [safetensors, PyTorch names](${b.url}).`,
      '',
    );
  }
  if (report.warnings.length > 0) {
    out.push('## Data warnings', '', ...report.warnings.map((w) => `- ${md(w)}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function renderGroup(group: ConditionGroup, severalLr: boolean): string[] {
  const out: string[] = [];
  const c = group.condition;
  out.push(severalLr ? `## Learning rate ${c.lr}` : '## Results', '');
  out.push(md(describeCondition(c)), '');

  const models = group.models.map((m) => m.model);
  const cell = (model: string, epoch: number) =>
    group.checkpointTable.find((x) => x.model === model && x.epoch === epoch);
  out.push(`### ${checkpointHeading(group)}`, '', CHECKPOINT_EXPLANATION, '');
  out.push(
    ...table(
      ['epoch', ...models.map((m) => `${md(m)} train loss`), ...models.map((m) => `${md(m)} val acc (%)`)],
      ['r', ...models.map(() => 'r' as const), ...models.map(() => 'r' as const)],
      group.checkpoints.map((epoch) => [
        String(epoch),
        ...models.map((m) => formatStat(cell(m, epoch)?.trainLoss ?? null, lossNumber, true, lossStd)),
        ...models.map((m) => formatStat(cell(m, epoch)?.valAcc ?? null, percentNumber)),
      ]),
    ),
    '',
  );

  out.push('### Per model', '');
  out.push(
    ...table(
      [
        'model',
        'parameters',
        'seeds',
        'final val acc (%)',
        'best val acc (%)',
        'best epoch',
        'epochs to 98%',
        'epochs to 99%',
        's/epoch',
        'images/s',
        'backend',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      group.models.map((m) => [
        md(modelLabel(m)),
        formatParameters(m.parameters),
        `${m.runsInStatistics}/${m.runsTotal}`,
        formatStat(m.finalValAcc, percentNumber, false),
        formatStat(m.bestValAcc, percentNumber, false),
        formatStat(m.bestEpoch, (x) => x.toFixed(1), false),
        formatReach(m.reach98),
        formatReach(m.reach99),
        formatStat(m.secondsPerEpoch, (x) => formatCount(x, 1), false),
        formatStat(m.imagesPerSecond, (x) => formatCount(x), false),
        m.backends.length === 0 ? MISSING : md(m.backends.join(', ')),
      ]),
    ),
    '',
  );

  if (group.comparisons.length > 0) {
    out.push('### Comparison of final validation accuracy', '', COMPARISON_EXPLANATION, '');
    out.push(
      ...table(
        ['higher', 'lower', 'difference (points)', '95% CI (points)', 'Welch t', 'df', 'p', 'n'],
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
        group.comparisons.map((cmp) => {
          const t = cmp.test;
          const tested = t.kind === 'tested';
          return [
            md(cmp.higher),
            md(cmp.lower),
            formatPoints(t.difference),
            tested ? `[${formatPoints(t.ci.low)}, ${formatPoints(t.ci.high)}]` : MISSING,
            tested ? t.t.toFixed(2) : MISSING,
            tested ? t.df.toFixed(1) : MISSING,
            tested ? formatP(t.p).replace('= ', '') : MISSING,
            `${t.n1} vs ${t.n2}`,
          ];
        }),
      ),
      '',
      ...group.comparisons.map((cmp) => `- ${md(cmp.verdict)}`),
      '',
    );
  }
  if (group.notes.length > 0) out.push(...group.notes.map((n) => `> ${md(n)}`), '');
  return out;
}
