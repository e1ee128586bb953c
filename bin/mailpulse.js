#!/usr/bin/env node
// Entry point: the TypeScript sources are compiled to dist/ by `npm run build` (run by `prepare`).
import { main } from '../dist/cli/index.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`mailpulse: internal error, please report it: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
