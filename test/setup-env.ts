// Quiet, deterministic environment for every test file.
process.env.AWS_REGION = 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'secret';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_DEV = 'true';
process.env.AWS_NEW_RETRIES_2026 = 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// CDK apps built in tests write here (one folder per jest worker process) instead of a new temp
// folder each. The process id, not the worker number, names it: two test runs on one machine
// (worker 1 of each) would otherwise overwrite each other's templates between synth and read.
process.env.CDK_OUTDIR = require('node:path').join(require('node:os').tmpdir(), `mesos-cluster-test-cdk-${process.pid}`);
