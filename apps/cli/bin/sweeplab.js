#!/usr/bin/env node
// `npx sweeplab …` from a checkout: the TypeScript sources run through tsx, as every other entry point.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main.ts');
await run();
