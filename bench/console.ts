/**
 * Section: the console (console/, served at /console by the local lake). Its bundle — minified and gzip, what a
 * browser downloads — and its first paint in Debian's Chromium (tests/support/browser.ts) against a lake started
 * as `npm start` starts it: the time from navigation to the first contentful paint of the sign-in page, and to the
 * Query page (editor shown) once signed in. Median of a few fresh page loads; a report, never a test.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildConsole } from '../local/console-build';
import { launchBrowser } from '../tests/support/browser';
import { median, projectPath, startServer } from './processes';
import {
  emptyResult,
  fmtKB,
  fmtNum,
  target,
  targetCells,
  type BenchContext,
  type Section,
  type SectionResult,
} from './report';

const TARGET_GZIP_KB = 250;
const TARGET_FIRST_PAINT_MS = 1000;
const LOADS = 5;
const KEY = 'bench-console-key-0123456789';

async function firstPaints(url: string): Promise<{ signIn: number[]; query: number[] }> {
  const browser = await launchBrowser();
  const signIn: number[] = [];
  const query: number[] = [];
  try {
    for (let i = 0; i < LOADS; i += 1) {
      // A fresh context each time: nothing cached, as a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      await page.goto(`${url}/console`);
      await page.getByLabel('API key').waitFor();
      signIn.push(
        await page.evaluate<number>(
          `performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN`,
        ),
      );
      await page.getByLabel('API key').fill(KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.cm-content').waitFor();
      // A signed-in first visit: the page loaded with the key already in the tab, until the editor is shown.
      const t0 = Date.now();
      await page.reload();
      await page.locator('.cm-content').waitFor();
      query.push(Date.now() - t0);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { signIn, query };
}

export const consoleSection: Section = {
  id: 'console',
  title: 'Console (bundle size, first paint in Chromium)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const result = emptyResult();
    ctx.progress('console: building');
    const build = await buildConsole();
    const assets = build.files.filter((f) => f.name !== 'index.html');
    const total = build.files.reduce((s, f) => s + f.gzipBytes, 0);
    result.tables.push({
      title: 'Console bundle (what a browser downloads)',
      columns: ['file', 'minified', 'gzip'],
      rows: [
        ...build.files.map((f) => [f.name, fmtKB(f.bytes), fmtKB(f.gzipBytes)]),
        ['total', fmtKB(build.files.reduce((s, f) => s + f.bytes, 0)), fmtKB(total)],
      ],
    });
    const sizeTarget = target('console download, gzip', total / 1024, 'KB', '<=', TARGET_GZIP_KB);
    result.targets.push(sizeTarget);
    result.data.bundle = { id: build.id, files: build.files, gzipBytes: total };

    const lakeDir = await fs.mkdtemp(path.join(ctx.tmpBase, 'bench-console-'));
    ctx.progress('console: starting a lake');
    const lake = await startServer('local lake', 'npm', ['start'], {
      cwd: ctx.root,
      env: {
        ...process.env,
        PATH: projectPath(ctx.root),
        PORT: '0',
        LAKE_DIR: lakeDir,
        LAKE_API_KEY: KEY,
        LAKE_ACCESS_LOG: 'false',
        LOG_FORMAT: 'json',
      },
    });
    try {
      ctx.progress(`console: ${LOADS} first visits in Chromium`);
      const paints = await firstPaints(lake.url);
      const signIn = median(paints.signIn);
      const query = median(paints.query);
      const paintTarget = target(
        'first contentful paint (sign-in)',
        signIn,
        'ms',
        '<=',
        TARGET_FIRST_PAINT_MS,
      );
      result.targets.push(paintTarget);
      result.tables.push({
        title: `First visit, median of ${LOADS} fresh browser contexts`,
        columns: ['page', 'ms', 'target', 'status'],
        rows: [
          ['sign-in: first contentful paint', fmtNum(signIn, 0), ...targetCells(paintTarget)],
          ['query page signed in: load to editor shown', fmtNum(query, 0), '', ''],
        ],
      });
      result.data.firstPaint = { signInMs: paints.signIn, queryPageMs: paints.query };
      result.notes.push(
        `assets ${assets.map((a) => a.name).join(', ')}; served gzip by the local lake (local/console-static.ts)`,
      );
    } finally {
      await lake.stop('SIGTERM');
      await fs.rm(lakeDir, { recursive: true, force: true });
    }
    return result;
  },
};
