import { defineConfig } from 'drizzle-kit';

// Generation only reads schema.ts; it never connects to a database, so it works offline.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema.ts',
  out: './migrations',
});
