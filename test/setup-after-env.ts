import 'aws-sdk-client-mock-jest';

// Remove this worker's CDK output folder after each test file (the next file's app recreates it).
afterAll(() => {
  const outdir = process.env.CDK_OUTDIR;
  if (outdir) require('node:fs').rmSync(outdir, { recursive: true, force: true });
});
