import { escapeHtml as h } from './escape.ts';
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
import { renderLearningCurveSvg } from './learning-curve-svg.ts';
import type { ConditionGroup, Report } from './report.ts';
import {
  CHECKPOINT_EXPLANATION,
  COMPARISON_EXPLANATION,
  checkpointHeading,
  hasSeveralLearningRates,
  IN_PROGRESS_NOTE,
  progressSentence,
} from './report-sections.ts';

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 32px 40px 64px; background: #fff; color: #1a1a1a;
  font: 15px/1.5 "Charter", "Georgia", "Times New Roman", serif; }
h1 { font-size: 1.7em; margin: 0 0 .2em; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 1.3em; margin: 2em 0 .3em; border-bottom: 1px solid #bbb; padding-bottom: .15em; }
h3 { font-size: 1.05em; margin: 1.6em 0 .4em; }
.meta { color: #444; margin: 0 0 .3em; font-size: .95em; }
.condition { color: #333; font-style: italic; margin: 0 0 1em; }
.notice { border-left: 4px solid #8a5a00; background: #fff8e6; padding: .6em 1em; margin: 1em 0; }
.explain { color: #333; font-size: .92em; margin: .2em 0 .6em; max-width: 75ch; }
table { border-collapse: collapse; margin: .4em 0 1.2em; font-size: .9em;
  border-top: 2px solid #1a1a1a; border-bottom: 2px solid #1a1a1a; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; padding: 0 0 .4em; font-size: .95em; color: #1a1a1a; }
caption b { font-weight: 700; }
th, td { padding: .3em .75em; vertical-align: top; }
thead th { border-bottom: 1px solid #1a1a1a; text-align: right; font-weight: 600; }
thead th.l, td.l { text-align: left; }
td { text-align: right; }
tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
.n { color: #555; font-size: .85em; }
.best { font-size: .8em; border: 1px solid #0b5d1e; color: #0b5d1e; border-radius: 3px; padding: 0 .3em; margin-left: .3em; white-space: nowrap; }
.sig { color: #0b5d1e; font-weight: 600; }
.nosig { color: #6b4700; }
.err { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; text-align: left; }
.figures { display: flex; flex-wrap: wrap; gap: 16px 28px; margin: .5em 0 1.2em; }
figure { margin: 0; }
figcaption { font-size: .88em; color: #333; max-width: 480px; }
.chart { max-width: 100%; height: auto; font: 12px "Helvetica Neue", Arial, sans-serif; }
.chart text { fill: #222; }
.chart .axis line { stroke: #222; }
.chart .grid line { stroke: #e3e3e3; }
.chart .axis-label { font-size: 13px; fill: #111; }
ul.verdicts { padding-left: 1.2em; max-width: 80ch; }
ul.verdicts li { margin: .3em 0; }
footer { margin-top: 3em; color: #555; font-size: .85em; border-top: 1px solid #ccc; padding-top: .6em; }
@media print {
  @page { margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  table, figure, .figures { break-inside: avoid; }
  .notice { background: none; }
}
`;

/** One self-contained, script-free, printable HTML page; every user string is escaped. */
export function renderHtml(report: Report): string {
  const s = report.sweep;
  const counter = { table: 0, figure: 0 };
  const body: string[] = [];
  body.push(`<header><h1>${h(s.name)}</h1>`);
  const metric = s.metric ? ` · optimises <code>${h(s.metric.name)}</code> (${h(s.metric.goal)})` : '';
  body.push(
    `<p class="meta">Sweep <code>${h(s.id)}</code> · ${h(s.method)} · created ${h(s.createdAt)}${metric}</p>`,
  );
  body.push(`<p class="meta">${h(progressSentence(report))}</p></header>`);
  if (report.progress.inProgress) body.push(`<p class="notice" role="note">${h(IN_PROGRESS_NOTE)}</p>`);
  if (s.searchEnded) body.push(`<p class="notice" role="note">The search ${h(s.searchEnded)}</p>`);
  if (report.groups.length === 0) body.push('<p>No runs yet.</p>');

  const severalLr = hasSeveralLearningRates(report);
  report.groups.forEach((group, gi) => {
    body.push(renderGroup(group, gi, severalLr, counter));
  });

  if (report.excludedRuns.length > 0) {
    body.push('<section><h2>Runs not in the statistics</h2>');
    counter.table += 1;
    body.push(
      `<table><caption><b>Table ${counter.table}.</b> Runs that failed, were cancelled, or have not finished. They are listed here and left out of every mean, interval and test above.</caption>`,
    );
    body.push(
      '<thead><tr><th scope="col" class="l">run</th><th scope="col" class="l">model</th><th scope="col">seed</th><th scope="col">lr</th><th scope="col" class="l">status</th><th scope="col">epochs</th><th scope="col" class="l">reason</th><th scope="col" class="l">error</th></tr></thead><tbody>',
    );
    for (const r of report.excludedRuns) {
      body.push(
        `<tr><th scope="row"><code>${h(r.runId)}</code></th><td class="l">${h(r.model)}</td><td>${r.seed}</td><td>${r.lr}</td><td class="l">${h(r.status)}</td><td>${r.epochsRecorded}/${r.epochsPlanned}</td><td class="l">${h(r.reason)}</td><td class="err">${r.error === null ? MISSING : h(r.error)}</td></tr>`,
      );
    }
    body.push('</tbody></table></section>');
  }
  if (report.bestWeights) {
    const b = report.bestWeights;
    body.push(
      `<section><h2>Trained weights</h2><p>Best run by ${h(b.metric_name)}: <code>${h(b.run_id)}</code> (${b.metric_value.toFixed(4)} at epoch ${b.epoch}, ${h(b.kind)} weights) — <a href="${h(b.url)}">safetensors, PyTorch names</a>.</p></section>`,
    );
  }
  if (report.warnings.length > 0) {
    body.push(
      `<section><h2>Data warnings</h2><ul>${report.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul></section>`,
    );
  }
  body.push(
    `<footer>Computed from ${report.source.runRows} run rows and ${report.source.epochRows} epoch rows of the metrics table only. Accuracies in percent; differences in percentage points; ± is the sample standard deviation over seeds.</footer>`,
  );

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(s.name)} · sweep report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`;
}

function statCell(text: string): string {
  // Put "(n=3)" in a lighter span so the means line up visually.
  const m = /^(.*) \(n=(\d+)\)$/.exec(text);
  return m ? `${h(m[1]!)} <span class="n">n=${m[2]}</span>` : h(text);
}

function renderGroup(
  group: ConditionGroup,
  index: number,
  severalLr: boolean,
  counter: { table: number; figure: number },
): string {
  const out: string[] = [];
  const c = group.condition;
  const models = group.models.map((m) => m.model);
  out.push(`<section aria-labelledby="g${index}">`);
  out.push(`<h2 id="g${index}">${severalLr ? `Learning rate ${h(String(c.lr))}` : 'Results'}</h2>`);
  out.push(`<p class="condition">${h(describeCondition(c))}</p>`);

  // Learning curves first, as a results section would: they carry the whole trajectory.
  const planned: [number, number] = [1, c.epochs];
  const running = group.curves.reduce((sum, curve) => sum + curve.runningRuns, 0);
  const partial =
    running > 0
      ? ` Includes the epochs recorded so far by ${running} run${running === 1 ? '' : 's'} still in progress.`
      : '';
  const nText = group.curves
    .map((curve) => {
      const n = Math.max(0, ...curve.points.map((p) => p.n));
      return `${curve.model}: ${n === 0 ? 'no data' : `up to ${n} seed${n === 1 ? '' : 's'}`}`;
    })
    .join('; ');
  const lossSeries = group.curves.map((curve) => ({
    label: curve.model,
    points: curve.points.flatMap((p) => (p.trainLoss ? [{ x: p.epoch, ...p.trainLoss }] : [])),
  }));
  const accSeries = group.curves.map((curve) => ({
    label: curve.model,
    points: curve.points.flatMap((p) => (p.valAcc ? [{ x: p.epoch, ...p.valAcc }] : [])),
  }));
  out.push('<div class="figures">');
  counter.figure += 1;
  out.push(
    `<figure>${renderLearningCurveSvg(lossSeries, {
      id: `g${index}-loss`,
      title: `Training loss per epoch, lr ${c.lr}`,
      description: `Mean training loss over seeds per epoch on a log scale, one line per model (${models.join(', ')}), shaded band from the lowest to the highest seed.`,
      xLabel: 'epoch',
      yLabel: 'training loss (log scale)',
      yScale: 'log',
      formatY: (y) => String(Number(y.toPrecision(2))),
      xDomain: planned,
    })}<figcaption><b>Figure ${counter.figure}.</b> Training loss (epoch mean, log scale): mean over seeds, band = min–max over seeds (${h(nText)}).${h(partial)}</figcaption></figure>`,
  );
  counter.figure += 1;
  out.push(
    `<figure>${renderLearningCurveSvg(accSeries, {
      id: `g${index}-acc`,
      title: `Validation accuracy per epoch, lr ${c.lr}`,
      description: `Mean validation accuracy over seeds per epoch, one line per model (${models.join(', ')}), shaded band from the lowest to the highest seed.`,
      xLabel: 'epoch',
      yLabel: 'validation accuracy (%)',
      yScale: 'linear',
      formatY: (y) => `${Number((y * 100).toPrecision(4))}`,
      xDomain: planned,
      yMaxClamp: 1,
    })}<figcaption><b>Figure ${counter.figure}.</b> Validation accuracy: mean over seeds, band = min–max over seeds.${h(partial)}</figcaption></figure>`,
  );
  out.push('</div>');

  const cell = (model: string, epoch: number) =>
    group.checkpointTable.find((x) => x.model === model && x.epoch === epoch);
  counter.table += 1;
  out.push(
    `<table><caption><b>Table ${counter.table}.</b> ${h(checkpointHeading(group))}. ${h(CHECKPOINT_EXPLANATION)}</caption>`,
  );
  out.push(
    `<thead><tr><th scope="col" rowspan="2">epoch</th><th scope="colgroup" colspan="${models.length}">training loss</th><th scope="colgroup" colspan="${models.length}">validation accuracy (%)</th></tr><tr>${[...models, ...models].map((m) => `<th scope="col">${h(m)}</th>`).join('')}</tr></thead><tbody>`,
  );
  for (const epoch of group.checkpoints) {
    const loss = models.map(
      (m) => `<td>${statCell(formatStat(cell(m, epoch)?.trainLoss ?? null, lossNumber, true, lossStd))}</td>`,
    );
    const acc = models.map(
      (m) => `<td>${statCell(formatStat(cell(m, epoch)?.valAcc ?? null, percentNumber))}</td>`,
    );
    out.push(`<tr><th scope="row">${epoch}</th>${loss.join('')}${acc.join('')}</tr>`);
  }
  out.push('</tbody></table>');

  counter.table += 1;
  out.push(
    `<table><caption><b>Table ${counter.table}.</b> Per model, over completed seeds: mean ± sample std. “Epochs to 98%/99%”: first epoch at or above the threshold, averaged over the runs that reached it; (k/n) = k of n runs reached it.${severalLr ? ' “best lr” marks the learning rate with the highest mean final validation accuracy for that model.' : ''}</caption>`,
  );
  const headers = [
    ['model', 'l'],
    ['parameters', ''],
    ['seeds', ''],
    ['final val acc (%)', ''],
    ['best val acc (%)', ''],
    ['best epoch', ''],
    ['epochs to 98%', ''],
    ['epochs to 99%', ''],
    ['s / epoch', ''],
    ['images / s', ''],
    ['backend', 'l'],
  ];
  out.push(
    `<thead><tr>${headers.map(([t, cls]) => `<th scope="col"${cls ? ` class="${cls}"` : ''}>${t}</th>`).join('')}</tr></thead><tbody>`,
  );
  for (const m of group.models) {
    const best = m.bestLr === true ? '<span class="best">best lr</span>' : '';
    const cells = [
      formatParameters(m.parameters),
      `${m.runsInStatistics}/${m.runsTotal}`,
      formatStat(m.finalValAcc, percentNumber, false),
      formatStat(m.bestValAcc, percentNumber, false),
      formatStat(m.bestEpoch, (x) => x.toFixed(1), false),
      formatReach(m.reach98),
      formatReach(m.reach99),
      formatStat(m.secondsPerEpoch, (x) => formatCount(x, 1), false),
      formatStat(m.imagesPerSecond, (x) => formatCount(x), false),
    ];
    out.push(
      `<tr><th scope="row">${h(m.model)}${best}</th>${cells.map((x) => `<td>${h(x)}</td>`).join('')}<td class="l">${m.backends.length === 0 ? MISSING : h(m.backends.join(', '))}</td></tr>`,
    );
  }
  out.push('</tbody></table>');

  if (group.comparisons.length > 0) {
    counter.table += 1;
    out.push(`<table><caption><b>Table ${counter.table}.</b> ${h(COMPARISON_EXPLANATION)}</caption>`);
    out.push(
      '<thead><tr><th scope="col" class="l">comparison</th><th scope="col">difference (points)</th><th scope="col">95% CI (points)</th><th scope="col">Welch t</th><th scope="col">df</th><th scope="col">p</th><th scope="col">n</th><th scope="col" class="l">at 5%</th></tr></thead><tbody>',
    );
    for (const cmp of group.comparisons) {
      const t = cmp.test;
      const tested = t.kind === 'tested';
      const judgement =
        cmp.significant === true
          ? '<span class="sig">significant</span>'
          : cmp.significant === false
            ? '<span class="nosig">not significant</span>'
            : '<span class="nosig">no claim possible</span>';
      out.push(
        `<tr><th scope="row">${h(cmp.higher)} − ${h(cmp.lower)}</th><td>${formatPoints(t.difference)}</td><td>${tested ? `[${formatPoints(t.ci.low)}, ${formatPoints(t.ci.high)}]` : MISSING}</td><td>${tested ? t.t.toFixed(2) : MISSING}</td><td>${tested ? t.df.toFixed(1) : MISSING}</td><td>${tested ? h(formatP(t.p).replace('= ', '')) : MISSING}</td><td>${t.n1} vs ${t.n2}</td><td class="l">${judgement}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
    out.push(
      `<ul class="verdicts">${group.comparisons.map((cmp) => `<li>${h(cmp.verdict)}</li>`).join('')}</ul>`,
    );
  }
  if (group.notes.length > 0)
    out.push(`<ul class="notes">${group.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
  out.push('</section>');
  return out.join('\n');
}
