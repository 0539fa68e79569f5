/**
 * Local speed of the whole test suite: `jest` as `npx jest` runs it, timed from outside,
 * with the counts of its JSON report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './lambda-start';

export interface TestSuiteResult {
  readonly realSeconds: number;
  readonly suites: number;
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  /** Files of the failed suites, relative to the repository. */
  readonly failedSuites: string[];
}

interface JestReport {
  numTotalTestSuites: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string }[];
}

/** Runs the whole suite once and times it. */
export function timeTestSuite(): TestSuiteResult {
  const dir = mkdtempSync(join(tmpdir(), 'mesos-cluster-bench-jest-'));
  const report = join(dir, 'report.json');
  try {
    const started = performance.now();
    spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--silent', '--json', `--outputFile=${report}`],
      {
        cwd: REPO_ROOT,
        stdio: 'ignore',
        env: { ...process.env, CI: 'true' },
      }
    );
    const realSeconds = (performance.now() - started) / 1000;
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as JestReport;
    return {
      realSeconds,
      suites: parsed.numTotalTestSuites,
      tests: parsed.numTotalTests,
      passed: parsed.numPassedTests,
      failed: parsed.numFailedTests,
      failedSuites: parsed.testResults.filter((r) => r.status !== 'passed').map((r) => r.name.replace(`${REPO_ROOT}/`, '')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
