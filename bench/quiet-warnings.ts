/**
 * Keeps the AWS SDK's Node.js-version notice out of the benchmark's output (the SDK emits
 * it on Node.js 20 when a client package loads); every other warning is still printed.
 * Imported first by bench/run.ts, before any SDK client loads.
 */
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning')) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
