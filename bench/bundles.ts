/**
 * Section: Lambda bundles. Packages the service for prod (`sls package --stage prod`, offline) and reports, for
 * each function zip in .serverless/, the uncompressed size of its main .js (read from the zip: exactly what
 * deploys), the packages that contribute most to it (an esbuild metafile of a rebuild with serverless.yml's
 * custom.esbuild options) and its module init time in a fresh Node process (median of several runs).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { median, projectPath, runCommand } from './processes';
import {
  emptyResult,
  fmtKB,
  fmtNum,
  fmtPct,
  target,
  targetCells,
  type BenchContext,
  type Cell,
  type Section,
  type SectionResult,
} from './report';

/** Minified bundle bounds (issue 15): the query function carries the SQL parser's grammars. */
const TARGET_BUNDLE_KB: Record<string, number> = { queries: 350 };
const DEFAULT_TARGET_BUNDLE_KB = 250;
const TARGET_INIT_MS = 100;
const TOP_CONTRIBUTORS = 8;

/** serverless-esbuild options that are the plugin's own, not esbuild's (it strips the same list). */
const PLUGIN_ONLY_OPTIONS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
  'plugins',
]);

interface ServiceYaml {
  functions?: Record<string, { handler?: string }>;
  custom?: { esbuild?: Record<string, unknown> };
  params?: Record<string, Record<string, unknown>>;
}

/** The stage that is packaged; its `${param:…}` in custom.esbuild (e.g. define's runtime) resolve as sls does. */
const STAGE = 'prod';

/** `${param:name}` in the strings of `value` (and of the objects in it), from the stage's params or the defaults. */
function resolveParams(value: unknown, params: ServiceYaml['params']): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{param:([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
      const v = params?.[STAGE]?.[name] ?? params?.default?.[name];
      return v === undefined ? whole : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveParams(v, params));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveParams(v, params)]));
  }
  return value;
}

interface FunctionBundle {
  functionName: string;
  zipFile: string;
  zipBytes: number;
  /** Path of the main .js inside the zip, e.g. functions/ingest.js. */
  mainJs: string;
  mainJsBytes: number;
  /** The source entry the bundle is built from, e.g. functions/ingest.ts. */
  entry: string | null;
}

/** The esbuild options serverless-esbuild would use, from serverless.yml's custom.esbuild. */
function esbuildOptions(custom: Record<string, unknown>, notes: string[]): BuildOptions {
  const options: Record<string, unknown> = { bundle: true, platform: 'node' };
  for (const [k, v] of Object.entries(custom)) {
    if (PLUGIN_ONLY_OPTIONS.has(k)) continue;
    if (typeof v === 'string' && v.includes('${')) {
      notes.push(`custom.esbuild.${k} is a Serverless variable (${v}); the metafile rebuild leaves it out`);
      continue;
    }
    options[k] = v;
  }
  const exclude = Array.isArray(custom.exclude) ? (custom.exclude as string[]) : ['aws-sdk'];
  const external = Array.isArray(custom.external) ? (custom.external as string[]) : [];
  options.external = [...external, ...(exclude.includes('*') ? [] : exclude)];
  return options as BuildOptions;
}

async function resolveEntry(root: string, handler: string | undefined): Promise<string | null> {
  if (!handler) return null;
  const base = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs']) {
    try {
      await fs.access(path.join(root, base + ext));
      return base + ext;
    } catch {
      // try the next extension
    }
  }
  return null;
}

/** Entries of a zip with their uncompressed sizes (`unzip -l`). */
async function zipEntries(root: string, zip: string): Promise<{ name: string; bytes: number }[]> {
  const r = await runCommand('unzip', ['-l', zip], { cwd: root });
  if (r.code !== 0) throw new Error(`unzip -l ${zip} failed: ${r.stderr || r.stdout}`);
  const entries: { name: string; bytes: number }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (m && !m[2]!.endsWith('/')) entries.push({ name: m[2]!.trim(), bytes: Number(m[1]) });
  }
  return entries;
}

/** The package a bundled input belongs to: the npm package under the last node_modules/, else project code. */
function packageOf(input: string): string {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return '(project code)';
  const first = parts[i + 1] ?? '?';
  return first.startsWith('@') ? `${first}/${parts[i + 2] ?? '?'}` : first;
}

function contributors(metafile: Metafile, outputFile: string) {
  const out = metafile.outputs[outputFile];
  if (!out) return { total: 0, rows: [] as { pkg: string; bytes: number; modules: number }[] };
  const byPkg = new Map<string, { bytes: number; modules: number }>();
  let counted = 0;
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
    const pkg = packageOf(input);
    const e = byPkg.get(pkg) ?? { bytes: 0, modules: 0 };
    e.bytes += bytesInOutput;
    e.modules += 1;
    byPkg.set(pkg, e);
    counted += bytesInOutput;
  }
  if (out.bytes > counted) byPkg.set('(esbuild runtime + glue)', { bytes: out.bytes - counted, modules: 0 });
  const rows = [...byPkg].map(([pkg, v]) => ({ pkg, ...v })).sort((a, b) => b.bytes - a.bytes);
  return { total: out.bytes, rows };
}

const INIT_SCRIPT = `
const { performance } = require('node:perf_hooks');
const t0 = performance.now();
const mod = require(process.env.BENCH_BUNDLE);
const t1 = performance.now();
process.stdout.write(JSON.stringify({ ms: t1 - t0, exports: Object.keys(mod), handler: typeof mod.handler }));
`;

interface InitTiming {
  runs: number[];
  processMs: number[];
  exports: string[];
  handlerType: string;
}

async function measureInit(ctx: BenchContext, bundleFile: string, runs: number): Promise<InitTiming> {
  const timing: InitTiming = { runs: [], processMs: [], exports: [], handlerType: '' };
  for (let i = 0; i < runs; i++) {
    const r = await runCommand(process.execPath, ['-e', INIT_SCRIPT], {
      cwd: path.dirname(bundleFile),
      // A clean environment like a Lambda cold start's, not this process's.
      env: {
        PATH: projectPath(ctx.root),
        HOME: process.env.HOME ?? '/tmp',
        BENCH_BUNDLE: bundleFile,
        // The AWS SDK is the runtime's (custom.esbuild.exclude): on Lambda NODE_PATH reaches /var/runtime/node_modules;
        // here the project's, at the versions package.json pins to the runtime's. Its load is part of the init time.
        NODE_PATH: path.join(ctx.root, 'node_modules'),
        LAKE_RUNTIME: 'aws',
        DELIVERY_STREAM_NAME: 'x',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      timeoutMs: 30_000,
    });
    if (r.code !== 0)
      throw new Error(`loading ${bundleFile} failed (exit ${r.code}): ${r.stderr.trim().slice(-2000)}`);
    const parsed = JSON.parse(r.stdout) as { ms: number; exports: string[]; handler: string };
    timing.runs.push(parsed.ms);
    timing.processMs.push(r.ms);
    timing.exports = parsed.exports;
    timing.handlerType = parsed.handler;
  }
  return timing;
}

async function run(ctx: BenchContext): Promise<SectionResult> {
  const result = emptyResult();
  const root = ctx.root;
  const initRuns = Math.max(1, Math.round(Number(process.env.BENCH_INIT_RUNS ?? 5)) || 5);
  const service = parseYaml(await fs.readFile(path.join(root, 'serverless.yml'), 'utf8'), {
    logLevel: 'error',
  }) as ServiceYaml;

  ctx.progress('sls package --stage prod');
  const pkg = await runCommand(
    process.execPath,
    [path.join(root, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', STAGE],
    {
      cwd: root,
      env: {
        ...process.env,
        PATH: projectPath(root),
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      timeoutMs: 180_000,
    },
  );
  if (pkg.code !== 0) {
    throw new Error(
      `sls package --stage prod failed (exit ${pkg.code}):\n${(pkg.stdout + pkg.stderr).trim().slice(-3000)}`,
    );
  }

  const serverlessDir = path.join(root, '.serverless');
  const zips = (await fs.readdir(serverlessDir)).filter((f) => f.endsWith('.zip')).sort();
  if (zips.length === 0) throw new Error('sls package produced no function zip in .serverless/');

  const workDir = await fs.mkdtemp(path.join(ctx.tmpBase, 'bench-bundles-'));
  try {
    const bundles: FunctionBundle[] = [];
    for (const zip of zips) {
      const functionName = zip.replace(/\.zip$/, '');
      const zipPath = path.join(serverlessDir, zip);
      const entries = await zipEntries(root, zipPath);
      const handler = service.functions?.[functionName]?.handler;
      const expected = handler ? `${handler.slice(0, handler.lastIndexOf('.'))}.js` : undefined;
      const js = entries.filter((e) => /\.(c|m)?js$/.test(e.name));
      const main = js.find((e) => e.name === expected) ?? [...js].sort((a, b) => b.bytes - a.bytes)[0];
      if (!main) throw new Error(`${zip} holds no .js file`);
      bundles.push({
        functionName,
        zipFile: path.relative(root, zipPath),
        zipBytes: (await fs.stat(zipPath)).size,
        mainJs: main.name,
        mainJsBytes: main.bytes,
        entry: await resolveEntry(root, handler),
      });
    }

    // --- sizes and contributors (metafile of a rebuild with the same options)
    const custom = resolveParams(service.custom?.esbuild ?? {}, service.params) as Record<string, unknown>;
    const options = esbuildOptions(custom, result.notes);
    const sizeRows: Cell[][] = [];
    const perFunction: Record<string, unknown> = {};
    for (const b of bundles) {
      const t = target(
        `${b.functionName} bundle size`,
        b.mainJsBytes / 1024,
        'KB',
        '<=',
        TARGET_BUNDLE_KB[b.functionName] ?? DEFAULT_TARGET_BUNDLE_KB,
      );
      result.targets.push(t);
      let rebuiltBytes: number | null = null;
      let top: ReturnType<typeof contributors> | null = null;
      if (b.entry) {
        const outdir = path.join(workDir, 'rebuild', b.functionName, path.dirname(b.entry));
        const built = await build({
          ...options,
          absWorkingDir: root,
          entryPoints: [b.entry],
          outdir,
          write: false,
          metafile: true,
          logLevel: 'silent',
        });
        const outKey = Object.keys(built.metafile.outputs).find((k) => k.endsWith('.js'));
        if (outKey) {
          top = contributors(built.metafile, outKey);
          rebuiltBytes = top.total;
        }
      } else {
        result.notes.push(
          `${b.functionName}: no source entry found for its handler; contributors not available`,
        );
      }
      sizeRows.push([
        b.functionName,
        b.zipFile,
        b.mainJs,
        fmtKB(b.mainJsBytes),
        fmtKB(b.zipBytes),
        rebuiltBytes === null ? '-' : fmtKB(rebuiltBytes),
        ...targetCells(t),
      ]);
      if (top) {
        result.tables.push({
          title: `Top ${TOP_CONTRIBUTORS} contributors to ${b.functionName} (${b.entry}, esbuild metafile, minified bytes)`,
          columns: ['package', 'bytes', 'share', 'modules'],
          rows: top.rows
            .slice(0, TOP_CONTRIBUTORS)
            .map((r) => [r.pkg, fmtKB(r.bytes), fmtPct(r.bytes / top.total, 1), r.modules || '-']),
        });
      }
      perFunction[b.functionName] = { ...b, rebuiltBytes, contributors: top?.rows ?? null };
      if (rebuiltBytes !== null && Math.abs(rebuiltBytes - b.mainJsBytes) > 64) {
        result.notes.push(
          `${b.functionName}: the metafile rebuild is ${fmtKB(rebuiltBytes)} but the zip's ${b.mainJs} is ${fmtKB(b.mainJsBytes)}; contributor shares are approximate`,
        );
      }
    }
    result.tables.unshift({
      title: `Function bundles (sls package --stage prod, ${fmtNum(pkg.ms / 1000, 1)} s): uncompressed main .js read from the zip`,
      columns: [
        'function',
        'zip',
        'main .js',
        'uncompressed',
        'zip size',
        'metafile rebuild',
        'target',
        'status',
      ],
      rows: sizeRows,
    });

    // --- module init time in fresh processes
    ctx.progress(`module init time: ${initRuns} fresh process(es) per bundle`);
    const initRows: Cell[][] = [];
    for (const b of bundles) {
      const dir = path.join(workDir, 'unzipped', b.functionName);
      await fs.mkdir(dir, { recursive: true });
      const unzip = await runCommand('unzip', ['-o', '-q', path.join(root, b.zipFile), '-d', dir], {
        cwd: root,
      });
      if (unzip.code !== 0) throw new Error(`unzip ${b.zipFile} failed: ${unzip.stderr || unzip.stdout}`);
      const timing = await measureInit(ctx, path.join(dir, b.mainJs), initRuns);
      const med = median(timing.runs);
      const t = target(`${b.functionName} module init (median)`, med, 'ms', '<=', TARGET_INIT_MS);
      result.targets.push(t);
      initRows.push([
        b.functionName,
        timing.runs.length,
        fmtNum(med, 1),
        fmtNum(Math.min(...timing.runs), 1),
        fmtNum(Math.max(...timing.runs), 1),
        fmtNum(median(timing.processMs), 0),
        timing.handlerType === 'function' ? 'yes' : `NO (${timing.handlerType})`,
        ...targetCells(t),
      ]);
      result.checks.push({
        name: `${b.functionName} bundle exports its handler`,
        ok: timing.handlerType === 'function',
        detail: `exports: ${timing.exports.join(', ') || '(none)'}`,
      });
      Object.assign(perFunction[b.functionName] as object, { init: { ...timing, medianMs: med } });
    }
    result.tables.push({
      title: 'Module init: require() of the bundle in a fresh node process (LAKE_RUNTIME=aws)',
      columns: [
        'function',
        'runs',
        'median ms',
        'min ms',
        'max ms',
        'process ms',
        'handler',
        'target',
        'status',
      ],
      rows: initRows,
    });
    result.notes.push(
      `"process ms" is the whole fresh process (node startup + require + exit), median; only the require() is compared with the target`,
    );
    result.data = { packageMs: pkg.ms, esbuildOptions: options, functions: perFunction };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
  return result;
}

export const bundlesSection: Section = {
  id: 'bundles',
  title: 'Lambda bundles (size, contributors, module init time)',
  run,
};
