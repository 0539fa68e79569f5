#!/usr/bin/env node
// The `mesos-cluster` command: registers tsx's CommonJS loader, so that the TypeScript
// sources run as they are, then runs cli/main.ts with the command-line arguments.
'use strict';
require('tsx/cjs');
const { main } = require('./main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`error: ${err?.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  }
);
