import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochAxis, valueAxis } from '@sweeplab/shared/chart-axes';
import { type ChartSeries, renderLearningCurveSvg } from './learning-curve-svg.ts';

const series: ChartSeries[] = [
  {
    label: 'resnet',
    points: [
      { x: 1, mean: 0.9, min: 0.88, max: 0.91 },
      { x: 2, mean: 0.95, min: 0.94, max: 0.97 },
    ],
  },
  { label: 'cnn', points: [{ x: 1, mean: 0.85, min: 0.8, max: 0.86 }] },
];

/** The axis group's domains and its tick labels, in document order. */
function axes(svg: string) {
  const group = /<g class="axis" data-x-domain="([^"]+)" data-y-domain="([^"]+)">(.*?)<\/g>/.exec(svg);
  assert.ok(group, 'an axis group with its domains');
  const ticks = [...group[3]!.matchAll(/<text (?!class="axis-label")[^>]*>([^<]*)<\/text>/g)].map(
    (m) => m[1],
  );
  return { x: group[1], y: group[2], ticks };
}

test('the report draws the shared axes: domains and ticks are chart-axes’ for the values drawn', () => {
  const svg = renderLearningCurveSvg(series, {
    id: 't',
    title: 'Validation accuracy',
    description: 'test',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    yScale: 'linear',
    formatY: String,
    plannedEpochs: 5,
    yMaxClamp: 1,
  });
  const x = epochAxis([1, 2, 1], 5);
  const y = valueAxis([0.88, 0.91, 0.94, 0.97, 0.8, 0.86], 'linear', 1);
  assert.deepEqual(axes(svg), {
    x: `${x.lo} ${x.hi}`,
    y: `${y.lo} ${y.hi}`,
    ticks: [...x.ticks, ...y.ticks].map(String),
  });
  // By hand: pad 0.0136, step 0.05 → 0.75..1 (1.0 clamped); epochs 1..5.
  assert.deepEqual([y.lo, y.hi, x.lo, x.hi], [0.75, 1, 1, 5]);
});
