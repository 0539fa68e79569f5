/**
 * `npm run bench`: the benchmark. Runs the scenarios on the simulated cloud under the
 * default latency model (or `--latency-model FILE`), sets each against its critical-path
 * bound, sweeps a few variants of the model, measures the Lambda bundles and the local
 * speed and prints the tables. With `--write` it also writes bench/results.json and
 * bench/RESULTS.md (and, for the default model, the results section of bench/README.md);
 * without it the tree is left as it is.
 */
import './quiet-warnings';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { defaultLatencyModel, type LatencyModel, LatencyModelError, loadLatencyModel } from '../simulator';
import { DEPENDENCY_GRAPHS, graphMarkdown } from './dependency-graphs';
import { type LambdaStartResult, measureLambdaStart, REPO_ROOT } from './lambda-start';
import { sweepVariants } from './latency-variants';
import { type BenchResults, type MachineInfo, type ModelResults, markdownReport, replaceSection, textReport } from './report';
import { runScenarios } from './scenarios';
import {
  checkCreateRealTime,
  checkCreatesComplete,
  checkCreateTransitions,
  checkLoadRatio,
  checkReadyRatio,
  checkScaleSpread,
  checkUnused,
  type TargetCheck,
} from './targets';
import { type TestSuiteResult, timeTestSuite } from './test-suite';

const BENCH_DIR = join(REPO_ROOT, 'bench');

interface Options {
  latencyModel?: string;
  runs: string;
  sweep: boolean;
  lambda: boolean;
  tests: boolean;
  write: boolean;
  graphs: boolean;
  seed: string;
}

function machine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function modelResults(label: string, description: string, model: LatencyModel): Promise<ModelResults> {
  const started = performance.now();
  const { results, pending } = await runScenarios(model);
  log(`${label}: ${results.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { label, description, scenarios: results, pending };
}

/** The Markdown of every declared graph, for bench/README.md. */
export function graphsMarkdown(): string {
  return DEPENDENCY_GRAPHS.map(graphMarkdown).join('\n\n');
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .description('Benchmark the Mesos cluster workflows on the simulated cloud')
    .option('--latency-model <file>', 'latency model JSON merged over the defaults (simulator/README.md)')
    .option('--runs <n>', 'fresh-process loads per bundle for the Lambda start', '3')
    .option('--no-sweep', 'skip the scaled and jittered variants of the latency model')
    .option('--no-lambda', 'skip the bundle sizes and load times')
    .option('--no-tests', 'skip timing the whole test suite')
    .option('--write', 'write bench/results.json, bench/RESULTS.md and the results of bench/README.md', false)
    .option('--seed <seed>', 'seed of the uneven latency models of the sweep', '1')
    .option('--graphs', 'print the declared dependency graphs as Markdown and exit')
    .parse(argv, { from: 'user' });
  const opts = program.opts<Options>();
  if (opts.graphs) {
    process.stdout.write(`${graphsMarkdown()}\n`);
    return 0;
  }
  const started = performance.now();
  const model = opts.latencyModel ? loadLatencyModel(opts.latencyModel) : defaultLatencyModel();
  const modelName = opts.latencyModel ?? 'default (simulator/latency-model.json)';

  const base = await modelResults('base model', modelName, model);
  const sweep: ModelResults[] = [];
  if (opts.sweep) {
    for (const variant of sweepVariants(model, opts.seed))
      sweep.push(await modelResults(variant.label, variant.description, variant.model));
  }

  let lambdaStart: LambdaStartResult | undefined;
  if (opts.lambda) {
    log('bundling every function and timing its load (fresh processes)');
    lambdaStart = await measureLambdaStart({ runs: Number(opts.runs), progress: log });
  }
  let testSuite: TestSuiteResult | undefined;
  if (opts.tests) {
    log('timing the whole test suite');
    testSuite = timeTestSuite();
  }

  const targets: TargetCheck[] = [
    checkReadyRatio([base, ...sweep]),
    checkCreatesComplete([base, ...sweep]),
    checkScaleSpread(base),
    checkCreateTransitions([base, ...sweep]),
    checkLoadRatio(lambdaStart),
    checkUnused(lambdaStart),
    checkCreateRealTime(base),
  ];
  const results: BenchResults = {
    version: 1,
    machine: machine(),
    latencyModel: modelName,
    base,
    sweep,
    ...(lambdaStart ? { lambdaStart } : {}),
    ...(testSuite ? { testSuite } : {}),
    targets,
    realSeconds: (performance.now() - started) / 1000,
  };

  process.stdout.write(`${textReport(results)}\n`);
  if (opts.write) {
    const markdown = markdownReport(results);
    writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(BENCH_DIR, 'RESULTS.md'), `# Benchmark results\n\n${markdown}\n`);
    const readmePath = join(BENCH_DIR, 'README.md');
    let readme = replaceSection(readFileSync(readmePath, 'utf8'), 'graphs', graphsMarkdown());
    if (!opts.latencyModel) readme = replaceSection(readme, 'results', markdown);
    writeFileSync(readmePath, readme);
    log(`wrote bench/results.json, bench/RESULTS.md${opts.latencyModel ? '' : ' and the results of bench/README.md'}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A bad latency model file is the user's input: its field and rule, no stack.
      if (err instanceof LatencyModelError) {
        process.stderr.write(`bench: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  );
}
