/**
 * Lambda start: every function's bundle, built with esbuild the way the stack builds it
 * (minified CJS, the runtime's AWS SDK left external: infra/constructs/step-function.ts)
 * and, for comparison, with the SDK bundled in; its size; which SDK clients and libraries
 * it carries against the ones its code uses; and the time to load it into a fresh Node.js
 * process (median of several runs), side by side with a bare handler that only constructs
 * the same SDK clients.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '..');

/** How a bundle treats the AWS SDK: left to the Lambda runtime's copy (the stack's choice), or bundled in. */
export type SdkMode = 'runtime-sdk' | 'bundled-sdk';

export const SDK_MODES: readonly SdkMode[] = ['runtime-sdk', 'bundled-sdk'];

/** Median milliseconds of a bundle's `require` in a fresh process: wall clock and CPU (user + system). */
export interface LoadTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The measurement of one function. */
export interface FunctionStart {
  /** functions/<id>/handler.ts */
  readonly id: string;
  /** SDK client packages the handler constructs (functions/shared/clients/*), e.g. ['client-ec2']. */
  readonly clients: string[];
  /** SDK client packages the bundle loads at start (its external requires of @aws-sdk/client-*). */
  readonly clientsLoaded: string[];
  /** SDK client packages whose commands the code sends. */
  readonly clientsUsed: string[];
  /** Other packages the code imports (their own dependencies count as theirs). */
  readonly libraries: string[];
  /** Clients or libraries in the bundle that its code does not use. */
  readonly unused: string[];
  /** For each unused package, the project modules that import it. */
  readonly unusedVia: Record<string, string[]>;
  /** Minified bundle bytes per mode. */
  readonly bytes: Readonly<Record<SdkMode, number>>;
  /** Median load time per measured mode (absent: not measured). */
  readonly load: Partial<Record<SdkMode, LoadTime>>;
  /** Median load time of the bare handler that constructs the same clients, per mode. */
  readonly bareLoad: Partial<Record<SdkMode, LoadTime>>;
}

export interface LambdaStartResult {
  readonly functions: FunctionStart[];
  /** Load runs per measurement. */
  readonly runs: number;
  /** Modes whose load time was measured for every function (the other: the first function of each client set). */
  readonly measuredModes: SdkMode[];
  /** Bare handler bytes and load times per client set (e.g. 'client-ec2+client-ssm'). */
  readonly bare: Record<string, { bytes: Record<SdkMode, number>; load: Partial<Record<SdkMode, LoadTime>> }>;
  readonly realSeconds: number;
}

/** The handler entries under functions/ (a folder with a handler.ts; not functions/shared). */
export function handlerIds(root = REPO_ROOT): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'shared' && existsSync(join(dir, d.name, 'handler.ts')))
    .map((d) => d.name)
    .sort();
}

const CLIENT_CLASS: Readonly<Record<string, string>> = {
  'client-ec2': 'EC2Client',
  'client-ssm': 'SSMClient',
  'client-cloudwatch': 'CloudWatchClient',
  'client-sfn': 'SFNClient',
};

/** The client class a package exports (`client-ec2` → `EC2Client`). */
function clientClass(pkg: string): string {
  const known = CLIENT_CLASS[pkg];
  if (known) return known;
  const exported = Object.keys(require(`@aws-sdk/${pkg}`) as object).find((k) => /Client$/.test(k) && !k.startsWith('_'));
  if (!exported) throw new Error(`@aws-sdk/${pkg} exports no client class`);
  return exported;
}

/** The package of a module path (`node_modules/@scope/name/...` → `@scope/name`). */
export function packageOf(path: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.split('\\').join('/'));
  return m?.[1];
}

const base: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  // The stack targets node24 on Lambda; the local Node.js 20 has to load the same bundles.
  target: 'node20',
  format: 'cjs',
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: REPO_ROOT,
};

/** SDK client packages sent a command in the code: `new XCommand(` of an import from the package. */
function clientsSentTo(text: string): string[] {
  const used = new Set<string>();
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/(client-[a-z0-9-]+)"/g)) {
    for (const spec of (m[1] ?? '').split(',')) {
      const [name = '', alias = name] = spec.trim().split(/\s+as\s+/);
      if (name.endsWith('Command') && new RegExp(`new ${alias.replace(/\$/g, '\\$')}\\(`).test(text)) used.add(m[2] ?? '');
    }
  }
  return [...used].sort();
}

/** The modules of an unminified esbuild output: `// <path>` headers and the code below each. */
export function moduleSections(text: string): { path: string; code: string }[] {
  const sections: { path: string; code: string }[] = [];
  let current: { path: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    const header = /^\/\/ ([^\s@][^\s]*\.(?:ts|js|mjs|cjs))$/.exec(line);
    if (header) {
      if (current) sections.push({ path: current.path, code: current.lines.join('\n') });
      current = { path: header[1] as string, lines: [] };
    } else {
      current?.lines.push(line);
    }
  }
  if (current) sections.push({ path: current.path, code: current.lines.join('\n') });
  return sections;
}

/**
 * Libraries the project code really calls (tree shaking keeps a library whose module has
 * top-level side effects even when nothing calls it): zod when a schema parses, the logger
 * when something logs; any other library counts as used.
 */
export function librariesUsed(projectCode: string, libraries: readonly string[]): string[] {
  return libraries.filter((lib) => {
    if (lib.startsWith('@aws-lambda-powertools/')) return /\blogger\.(info|error|warn|debug)\(/.test(projectCode);
    if (lib === 'zod') return /(?<!JSON)\.(safeParse|parse|safeParseAsync|parseAsync)\(/.test(projectCode);
    return true;
  });
}

function metaOf(meta: Metafile | undefined): Metafile {
  if (!meta) throw new Error('esbuild returned no metafile');
  return meta;
}

/** What the metafile says about one entry's output. */
function outputOf(meta: Metafile, mode: SdkMode, id: string) {
  const key = Object.keys(meta.outputs).find((k) => k.endsWith(`${mode}/${id}.js`));
  const output = key === undefined ? undefined : meta.outputs[key];
  if (!output) throw new Error(`no ${mode} bundle for ${id}`);
  return { bytes: output.bytes, inputs: Object.keys(output.inputs), imports: output.imports };
}

/** The @aws-sdk packages a set of imports names, without the scope. */
function sdkPackages(imports: readonly { path: string; external?: boolean }[]): string[] {
  return imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path.slice('@aws-sdk/'.length));
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One load of a bundle: wall and CPU milliseconds of its `require` (process startup excluded). */
export interface LoadSample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Loads a file in a fresh Node.js process and times its `require`. */
function loadOnce(file: string): LoadSample {
  const script = [
    'const c=process.cpuUsage(),t=process.hrtime.bigint();',
    `require(${JSON.stringify(file)});`,
    'const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);',
    'process.stdout.write(JSON.stringify([w,(u.user+u.system)/1e3]))',
  ].join('');
  const out = execFileSync(process.execPath, ['--no-warnings', '-e', script], {
    encoding: 'utf8',
    // External @aws-sdk/* resolves to the repository's packages, as the runtime's SDK would.
    env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules'), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [wallMs, cpuMs] = JSON.parse(out) as [number, number];
  return { wallMs, cpuMs };
}

export interface LambdaStartOptions {
  /** Load runs per function and mode. @default 3 */
  readonly runs?: number;
  /** Measure load times with the SDK bundled too (every function). @default false: one function per client set */
  readonly bundledForAll?: boolean;
  /** Only these handler ids (tests, quick runs). */
  readonly only?: readonly string[];
  /** Called after each measured round. */
  readonly progress?: (message: string) => void;
}

/** Builds, inspects and times every function. Temporary bundles are removed at the end. */
export async function measureLambdaStart(options: LambdaStartOptions = {}): Promise<LambdaStartResult> {
  const started = performance.now();
  const runs = Math.max(1, options.runs ?? 3);
  const ids = handlerIds().filter((id) => !options.only || options.only.includes(id));
  const dir = mkdtempSync(join(tmpdir(), 'mesos-cluster-bench-'));
  try {
    const entries = Object.fromEntries(ids.map((id) => [id, join(REPO_ROOT, 'functions', id, 'handler.ts')]));
    const [runtimeBuild, bundledBuild, scan] = await Promise.all([
      build({ ...base, entryPoints: entries, outdir: join(dir, 'runtime-sdk'), external: ['@aws-sdk/*'] }),
      build({ ...base, entryPoints: entries, outdir: join(dir, 'bundled-sdk') }),
      // Unminified ESM with the SDK external: the commands each handler really sends.
      build({
        ...base,
        minify: false,
        format: 'esm',
        write: false,
        entryPoints: entries,
        outdir: join(dir, 'scan'),
        external: ['@aws-sdk/*'],
      }),
    ]);
    const runtimeMeta = metaOf(runtimeBuild.metafile);
    const bundledMeta = metaOf(bundledBuild.metafile);
    const scanText = new Map((scan.outputFiles ?? []).map((f) => [f.path.split('/').pop()?.replace(/\.js$/, '') ?? '', f.text]));

    const perFunction = ids.map((id) => {
      const rt = outputOf(runtimeMeta, 'runtime-sdk', id);
      const bd = outputOf(bundledMeta, 'bundled-sdk', id);
      const project = rt.inputs.filter((path) => packageOf(path) === undefined);
      const importsOf = (path: string) => runtimeMeta.inputs[path]?.imports ?? [];
      const clients = [
        ...new Set(project.filter((p) => /functions\/shared\/clients\//.test(p)).flatMap((p) => sdkPackages(importsOf(p)))),
      ].sort();
      const clientsLoaded = [...new Set(sdkPackages(rt.imports))].sort();
      const libraries = [
        ...new Set(
          project.flatMap((p) =>
            importsOf(p)
              .filter((i) => !i.external)
              .map((i) => packageOf(i.path))
              .filter((pkg): pkg is string => pkg !== undefined)
          )
        ),
      ].sort();
      const projectCode = moduleSections(scanText.get(id) ?? '')
        .filter((section) => packageOf(section.path) === undefined)
        .map((section) => section.code)
        .join('\n');
      const clientsUsed = clientsSentTo(projectCode);
      const libsUsed = librariesUsed(projectCode, libraries);
      const unused = [...clientsLoaded.filter((c) => !clientsUsed.includes(c)), ...libraries.filter((l) => !libsUsed.includes(l))];
      const unusedVia = Object.fromEntries(
        unused.map((pkg) => [
          pkg,
          project.filter((p) => importsOf(p).some((i) => (i.external ? i.path === `@aws-sdk/${pkg}` : packageOf(i.path) === pkg))),
        ])
      );
      return {
        id,
        clients,
        clientsLoaded,
        clientsUsed,
        libraries,
        unused,
        unusedVia,
        bytes: { 'runtime-sdk': rt.bytes, 'bundled-sdk': bd.bytes },
      };
    });

    // Bare handlers: construct the same clients, nothing else.
    const sets = [...new Set(perFunction.map((f) => f.clients.join('+')))];
    const bareEntries: Record<string, string> = {};
    for (const set of sets) {
      const pkgs = set === '' ? [] : set.split('+');
      const file = join(dir, `bare-${set || 'none'}.ts`);
      const lines = pkgs.map((p, i) => `import { ${clientClass(p)} as C${i} } from '@aws-sdk/${p}';`);
      lines.push(...pkgs.map((_, i) => `export const client${i} = new C${i}({ maxAttempts: 6 });`));
      lines.push('export const handler = async () => ({});');
      writeFileSync(file, `${lines.join('\n')}\n`);
      bareEntries[`bare-${set || 'none'}`] = file;
    }
    const [bareRuntime, bareBundled] = await Promise.all([
      build({ ...base, entryPoints: bareEntries, outdir: join(dir, 'runtime-sdk'), external: ['@aws-sdk/*'] }),
      build({ ...base, entryPoints: bareEntries, outdir: join(dir, 'bundled-sdk'), nodePaths: [join(REPO_ROOT, 'node_modules')] }),
    ]);
    const bareBytes = (meta: Metafile, mode: SdkMode, set: string) =>
      Object.entries(meta.outputs).find(([k]) => k.endsWith(`${mode}/bare-${set || 'none'}.js`))?.[1].bytes ?? 0;

    // Load times in rounds; within a round each client set's functions run between two runs
    // of its bare handler, so that both see the machine in the same state.
    const targets: { key: string; file: string }[] = [];
    for (const set of sets) {
      const name = set || 'none';
      const bareRuntime = { key: `runtime-sdk:bare:${set}`, file: join(dir, 'runtime-sdk', `bare-${name}.js`) };
      const bareBundled = { key: `bundled-sdk:bare:${set}`, file: join(dir, 'bundled-sdk', `bare-${name}.js`) };
      const members = perFunction.filter((f) => f.clients.join('+') === set);
      targets.push(bareRuntime, bareBundled);
      members.forEach((f, i) => {
        targets.push({ key: `runtime-sdk:${f.id}`, file: join(dir, 'runtime-sdk', `${f.id}.js`) });
        if (options.bundledForAll || i === 0) targets.push({ key: `bundled-sdk:${f.id}`, file: join(dir, 'bundled-sdk', `${f.id}.js`) });
      });
      targets.push(bareRuntime, bareBundled);
    }
    const samples = new Map<string, LoadSample[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < runs; round++) {
      for (const t of targets) samples.get(t.key)?.push(loadOnce(t.file));
      options.progress?.(`load round ${round + 1}/${runs} (${targets.length} loads)`);
    }
    const med = (key: string): LoadTime | undefined => {
      const values = samples.get(key) ?? [];
      if (values.length === 0) return undefined;
      return { wallMs: median(values.map((v) => v.wallMs)), cpuMs: median(values.map((v) => v.cpuMs)) };
    };
    const byMode = (prefix: string) => {
      const out: Partial<Record<SdkMode, LoadTime>> = {};
      for (const mode of SDK_MODES) {
        const v = med(`${mode}:${prefix}`);
        if (v !== undefined) out[mode] = v;
      }
      return out;
    };

    const bare: LambdaStartResult['bare'] = {};
    for (const set of sets) {
      bare[set || 'none'] = {
        bytes: {
          'runtime-sdk': bareBytes(metaOf(bareRuntime.metafile), 'runtime-sdk', set),
          'bundled-sdk': bareBytes(metaOf(bareBundled.metafile), 'bundled-sdk', set),
        },
        load: byMode(`bare:${set}`),
      };
    }
    const functions: FunctionStart[] = perFunction.map((f) => ({
      ...f,
      load: byMode(f.id),
      bareLoad: bare[f.clients.join('+') || 'none']?.load ?? {},
    }));
    const measuredModes: SdkMode[] = options.bundledForAll ? ['runtime-sdk', 'bundled-sdk'] : ['runtime-sdk'];
    return { functions, runs, measuredModes, bare, realSeconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
