// @ts-check
// The sweeplab dashboard (no build step: the browser loads these modules as they are). api.js talks to
// the JSON API, one module per page renders it, router.js picks the page from the location hash.
import { startRouter } from './router.js';

startRouter();
