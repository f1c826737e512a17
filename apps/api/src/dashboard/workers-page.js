// @ts-check
import { fetchWorkersAndDisk } from './api.js';
import { bytesText, heading, main, runHref } from './components.js';
import { ago, count, dateTime, el, keyedTable, MISSING } from './dom.js';

/** @typedef {import('./api.js').Worker} Worker */
/** @typedef {import('./router.js').Refresh} Refresh */

/**
 * `#/workers`: the workers with a live heartbeat.
 * @returns {Refresh}
 */
export function workersPage() {
  document.title = 'Workers · sweeplab';
  /** @type {ReturnType<typeof keyedTable<Worker>>} */
  const table = keyedTable({
    label: 'Workers',
    caption: 'Workers with a live heartbeat (a stopped worker disappears when its heartbeat expires).',
    empty: 'No live workers. Start one with npm run worker.',
    columns: [
      { header: 'Worker', rowHeader: true, render: (w) => w.worker_id },
      { header: 'Host', render: (w) => `${w.host} (pid ${w.pid})` },
      { header: 'Backend', render: (w) => w.backend ?? MISSING },
      { header: 'Slots', render: (w) => w.slots.join(', ') || MISSING },
      { header: 'Programs', render: (w) => (w.programs ?? []).join(', ') || MISSING },
      {
        header: 'Running',
        sig: (w) => w.running_runs.join(','),
        render: (w) =>
          w.running_runs.length === 0
            ? 'idle'
            : w.running_runs.map((id, i) => [
                i ? ', ' : '',
                el('a', { href: runHref(id) }, el('code', {}, id)),
              ]),
      },
      { header: 'Images / s', num: true, render: (w) => count(w.images_per_second) },
      { header: 'Up since', render: (w) => dateTime(new Date(w.started_at).toISOString()) },
      { header: 'Last heartbeat', render: (w) => ago(w.last_heartbeat) },
    ],
  });
  const disk = el('p', { class: 'summary', id: 'artifact-disk' });
  main.replaceChildren(heading('Workers'), table.element, disk);
  return async () => {
    const { workers, artifacts } = await fetchWorkersAndDisk();
    table.update(workers, (w) => w.worker_id);
    disk.textContent = `Kept weights: ${bytesText(artifacts.bytes)} on disk in ${count(artifacts.files)} files (${count(artifacts.rows)} artifacts, ARTIFACT_KEEP=${artifacts.keep}).`;
    return true;
  };
}
