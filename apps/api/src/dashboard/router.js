// @ts-check
// Hash routes (#/, #/sweeps/<id>, #/runs/<id>, #/workers). Each page builds its skeleton once (mount)
// and returns refresh(), polled every POLL_MS while the tab is visible and something can still change.
import { HttpError } from './api.js';
import { byId, main, notFound, setLive } from './components.js';
import { runPage } from './run-page.js';
import { sweepPage } from './sweep-page.js';
import { sweepsPage } from './sweeps-page.js';
import { workersPage } from './workers-page.js';

const POLL_MS = 2000;
const SWEEP_ID = /^swp_[0-9a-z]{18}$/;
const RUN_ID = /^run_[0-9a-z]{18}$/;

/**
 * @typedef {() => Promise<boolean>} Refresh fetches and patches the page; false when nothing can change any more
 * @typedef {{ nav: string, mount: () => Refresh } | { error: string }} Route
 */

/**
 * @param {string} hash
 * @returns {Route}
 */
function resolveRoute(hash) {
  const path = hash.replace(/^#/, '') || '/';
  let m = /^\/sweeps\/([^/]+)$/.exec(path);
  if (m) {
    const id = decodeURIComponent(m[1] ?? '');
    return SWEEP_ID.test(id)
      ? { nav: 'sweeps', mount: () => sweepPage(id) }
      : { error: `“${id}” is not a sweep id.` };
  }
  m = /^\/runs\/([^/]+)$/.exec(path);
  if (m) {
    const id = decodeURIComponent(m[1] ?? '');
    return RUN_ID.test(id)
      ? { nav: 'sweeps', mount: () => runPage(id) }
      : { error: `“${id}” is not a run id.` };
  }
  if (path === '/workers') return { nav: 'workers', mount: workersPage };
  if (path === '/') return { nav: 'sweeps', mount: sweepsPage };
  return { error: `There is no page at ${path}.` };
}

let generation = 0;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;

/**
 * @param {number} gen the navigation this loop belongs to; a newer one ends it
 * @param {Refresh} refresh
 */
async function poll(gen, refresh) {
  if (gen !== generation) return;
  if (document.hidden) {
    setLive('paused', 'Paused while the tab is hidden');
    return; // visibilitychange restarts the loop
  }
  let again = true;
  try {
    again = await refresh();
    if (gen !== generation) return;
    setLive(
      again ? 'live' : 'done',
      `${again ? 'Live' : 'Finished'} · updated ${new Date().toLocaleTimeString()}`,
    );
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof HttpError && err.status === 404) {
      setLive('done', 'Not found');
      notFound(err.message);
      return;
    }
    setLive('error', `Connection problem, retrying: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (again !== false) timer = setTimeout(() => poll(gen, refresh), POLL_MS);
}

/** @type {Refresh | null} */
let currentRefresh = null;

/** Mounts the page the location hash names and starts polling it. */
function navigate() {
  const hash = location.hash || '#/';
  // In-page anchors (the skip link) are not routes.
  if (!hash.startsWith('#/')) return;
  generation += 1;
  clearTimeout(timer);
  const route = resolveRoute(hash);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link instanceof HTMLElement && 'nav' in route && link.dataset.nav === route.nav)
      link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if ('error' in route) {
    currentRefresh = null;
    notFound(route.error);
    return;
  }
  currentRefresh = route.mount();
  main.querySelector('h1')?.focus({ preventScroll: true });
  setLive('idle', 'Loading…');
  poll(generation, currentRefresh);
}

/** Wires the skip link, tab visibility and hash changes, and shows the current page. */
export function startRouter() {
  byId('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && currentRefresh) {
      clearTimeout(timer);
      poll(generation, currentRefresh);
    }
  });
  window.addEventListener('hashchange', navigate);
  navigate();
}
