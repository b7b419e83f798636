/**
 * Builds the console (console/) into static files with esbuild: minified JS and CSS with content-hashed names, an
 * index.html that names them, and a gzip copy of each. A build lives in `.console-dist/<source hash>/`, the hash of
 * everything it is made from (console/, the lock file, esbuild's version, this file): a build whose sources have
 * not changed is used as it is, a changed source makes a new one. Builds are written to a temporary folder and
 * renamed into place, so that processes building at once (tests, several lakes) never see half a build.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { projectRoot } from './service-config';

export const CONSOLE_SOURCE = path.join(projectRoot, 'console');
export const CONSOLE_DIST = path.join(projectRoot, '.console-dist');

export interface ConsoleBuild {
  /** The folder of the build: index.html and the assets. */
  dir: string;
  /** The source hash the build is named by. */
  id: string;
  /** Asset files (relative to dir) with their size and gzip size. */
  files: { name: string; bytes: number; gzipBytes: number }[];
  /** Whether this call built it (false: an earlier build of the same sources was used). */
  built: boolean;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** The hash of everything a build is made from. */
export function consoleSourceHash(): string {
  const h = createHash('sha256');
  const inputs = [
    ...listFiles(CONSOLE_SOURCE),
    path.join(projectRoot, 'package-lock.json'),
    require.resolve('esbuild/package.json'),
    __filename,
  ];
  for (const f of inputs) {
    h.update(path.relative(projectRoot, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

async function readManifest(dir: string): Promise<ConsoleBuild['files'] | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as ConsoleBuild['files'];
  } catch {
    return null;
  }
}

async function buildInto(dir: string): Promise<ConsoleBuild['files']> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: projectRoot,
    entryPoints: { app: path.join(CONSOLE_SOURCE, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: path.join(dir, 'assets'),
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: path.join(CONSOLE_SOURCE, 'tsconfig.json'),
  });
  const outputs = Object.keys(result.metafile.outputs).map((o) =>
    path.relative(dir, path.resolve(projectRoot, o)).split(path.sep).join('/'),
  );
  const js = outputs.find((o) => o.endsWith('.js'));
  const css = outputs.find((o) => o.endsWith('.css'));
  if (!js || !css) throw new Error(`the console build made no ${js ? 'CSS' : 'JavaScript'}`);
  const template = await fs.readFile(path.join(CONSOLE_SOURCE, 'index.html'), 'utf8');
  // Relative to /console/ (index.html is served at /console and /console/: see local/console-static.ts).
  const html = template.replace('{{js}}', `/console/${js}`).replace('{{css}}', `/console/${css}`);
  await fs.writeFile(path.join(dir, 'index.html'), html);
  const files: ConsoleBuild['files'] = [];
  for (const name of ['index.html', ...outputs]) {
    const body = await fs.readFile(path.join(dir, name));
    const gz = gzipSync(body, { level: 9 });
    await fs.writeFile(path.join(dir, `${name}.gz`), gz);
    files.push({ name, bytes: body.length, gzipBytes: gz.length });
  }
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(files, null, 2));
  return files;
}

/** Removes builds other than `keep` that are older than an hour (a process may still be serving a recent one). */
async function pruneOldBuilds(keep: string): Promise<void> {
  const cutoff = Date.now() - 3_600_000;
  for (const name of await fs.readdir(CONSOLE_DIST).catch(() => [] as string[])) {
    if (name === keep) continue;
    const p = path.join(CONSOLE_DIST, name);
    try {
      if (statSync(p).mtimeMs < cutoff) await fs.rm(p, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}

/** The build of the current sources: the existing one, or a new one. */
export async function buildConsole(): Promise<ConsoleBuild> {
  const id = consoleSourceHash();
  const dir = path.join(CONSOLE_DIST, id);
  const existing = await readManifest(dir);
  if (existing) return { dir, id, files: existing, built: false };
  await fs.mkdir(CONSOLE_DIST, { recursive: true });
  const tmp = path.join(CONSOLE_DIST, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const files = await buildInto(tmp);
    try {
      await fs.rename(tmp, dir);
    } catch (e) {
      // Another process put the same build in place first: use it.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
    await pruneOldBuilds(id);
    return { dir, id, files, built: true };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  buildConsole().then(
    (b) => {
      const total = b.files.reduce((s, f) => s + f.gzipBytes, 0);
      process.stdout.write(
        `console ${b.built ? 'built' : 'up to date'} in ${path.relative(process.cwd(), b.dir)}: ` +
          `${b.files.map((f) => `${f.name} ${f.bytes} B (${f.gzipBytes} B gzip)`).join(', ')}; ${total} B gzip\n`,
      );
    },
    (e: Error) => {
      process.stderr.write(`console build failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
