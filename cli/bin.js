#!/usr/bin/env node
// The `mesos-cluster` command: registers tsx's CommonJS loader, so that the TypeScript
// sources run as they are, then runs cli/main.ts with the command-line arguments.
'use strict';
// The AWS SDK warns on every start under Node.js 20 that its releases after January 2027
// need Node.js 22; the README says so once. MESOS_CLUSTER_SDK_WARNINGS=1 shows it again.
if (!process.env.MESOS_CLUSTER_SDK_WARNINGS) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
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
