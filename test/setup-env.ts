// Quiet, deterministic environment for every test file.
process.env.AWS_REGION = 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'secret';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_DEV = 'true';
process.env.AWS_NEW_RETRIES_2026 = 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
