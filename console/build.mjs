// Builds the console into ../internal/console/dist, which the Go binary
// embeds. The output is deterministic, so a rebuild of unchanged sources
// leaves the committed files as they are (the test suite checks it).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

const out = process.argv[2] || '../internal/console/dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: ['src/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  outfile: `${out}/app.js`,
  logLevel: 'warning',
});
copyFileSync('src/index.html', `${out}/index.html`);
copyFileSync('src/style.css', `${out}/style.css`);
