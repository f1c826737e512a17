import { formatP, formatPoints } from './format.ts';
import type { WelchResult } from './welch-t-test.ts';

export const SIGNIFICANCE_LEVEL = 0.05;

/**
 * One plain-language sentence per comparison. `higher`/`lower` are ordered by mean, so the
 * difference in `test` is never negative and the sentence always reads "A above B".
 */
export function comparisonVerdict(higher: string, lower: string, test: WelchResult): string {
  const d = formatPoints(test.difference);
  const n = `n = ${test.n1} vs ${test.n2}`;
  const gap =
    test.difference === 0
      ? `${higher} and ${lower} have the same mean final validation accuracy`
      : `${higher}'s final validation accuracy is higher than ${lower}'s by ${d} points`;
  switch (test.kind) {
    case 'tested': {
      const detail = `95% CI [${formatPoints(test.ci.low)}, ${formatPoints(test.ci.high)}] points, Welch p ${formatP(test.p)}, ${n}`;
      if (test.p < SIGNIFICANCE_LEVEL) return `${gap} (${detail}).`;
      if (test.difference === 0) return `${gap}: no difference to test (${detail}).`;
      return `${higher}'s mean final validation accuracy is ${d} points above ${lower}'s, but the difference is not significant at 5% (${detail}).`;
    }
    case 'too-few-samples': {
      const single = [test.n1 < 2 ? higher : null, test.n2 < 2 ? lower : null].filter((m) => m !== null);
      return `${gap.replace("'s final", "'s mean final")} (${n}), but there is only one seed of ${single.join(' and ')}: no significance can be claimed.`;
    }
    case 'zero-variance':
      return `${gap} (${n}), but every seed of both models scored exactly the same, so the t-test is undefined: no significance can be claimed.`;
  }
}
