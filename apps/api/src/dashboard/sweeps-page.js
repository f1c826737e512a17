// @ts-check
import { fetchSweeps, reportUrl } from './api.js';
import { countsText, finishedCount, heading, main, sweepHref } from './components.js';
import { dateTime, el, keyedTable, nodes } from './dom.js';

/** @typedef {import('./api.js').Sweep} Sweep */
/** @typedef {import('./router.js').Refresh} Refresh */

/**
 * `#/`: every sweep, newest first, with its runs by status.
 * @returns {Refresh}
 */
export function sweepsPage() {
  document.title = 'Sweeps · sweeplab';
  /** @type {ReturnType<typeof keyedTable<Sweep>>} */
  const table = keyedTable({
    label: 'Sweeps',
    caption: 'Every sweep, newest first, with its runs by status.',
    empty: 'No sweeps yet. Submit one with POST /v1/sweeps (see the API docs).',
    columns: [
      {
        header: 'Sweep',
        rowHeader: true,
        sig: (s) => s.name,
        render: (s) => el('a', { href: sweepHref(s.id) }, s.name),
      },
      { header: 'Created', render: (s) => dateTime(s.created_at) },
      { header: 'Method', render: (s) => s.method },
      { header: 'Runs', num: true, render: (s) => String(s.total_runs) },
      {
        header: 'Progress',
        sig: (s) => JSON.stringify(s.counts),
        render: (s) =>
          nodes(
            el('progress', {
              max: s.total_runs || 1,
              value: finishedCount(s.counts),
              'aria-label': `${s.name}: runs finished`,
            }),
            ' ',
            countsText(s.counts),
          ),
      },
      {
        header: 'Report',
        sig: (s) => s.id,
        render: (s) =>
          el(
            'a',
            {
              href: reportUrl(s.id, 'html'),
              target: '_blank',
              rel: 'noopener',
            },
            'HTML report',
            el('span', { class: 'visually-hidden' }, ` of ${s.name}`),
          ),
      },
    ],
  });
  main.replaceChildren(heading('Sweeps'), table.element);
  return async () => {
    const sweeps = await fetchSweeps();
    table.update([...sweeps].reverse(), (s) => s.id);
    return true;
  };
}
