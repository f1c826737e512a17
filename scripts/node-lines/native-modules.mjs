// Preloaded (NODE_OPTIONS=--import) when the suite runs under another Node.js line: `better-sqlite3`
// resolves to a copy whose native module was built for this Node's ABI (SWEEPLAB_NATIVE_DIR), while
// node_modules keeps the machine Node's build. Child processes inherit NODE_OPTIONS and so the same.
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.SWEEPLAB_NATIVE_DIR;
if (dir) {
  const entry = pathToFileURL(join(dir, 'better-sqlite3', 'lib', 'index.js')).href;
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier === 'better-sqlite3') return { url: entry, format: 'commonjs', shortCircuit: true };
      return next(specifier, context);
    },
  });
}
