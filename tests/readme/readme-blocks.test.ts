/**
 * The README test's own machinery (tests/readme/readme-blocks.ts) can fail: a drifted output, a failing command, a
 * command that cannot run here and a block that is not marked are each a problem; markers are read strictly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blockSteps, matches, printedLines, readmeBlocks, runBlock, Shell } from './readme-blocks';

const md = (...lines: string[]) => lines.join('\n');
const FENCE = '```';

describe('reading the README', () => {
  it('finds every fenced block, its language and the marker before it (indented blocks too)', () => {
    const blocks = readmeBlocks(
      md(
        '# Title',
        '<!-- readme-test: skip (needs an AWS account) -->',
        '',
        `${FENCE}sh`,
        'aws s3 ls',
        FENCE,
        `${FENCE}json`,
        '{}',
        FENCE,
        '- a list item:',
        '  <!-- readme-test: retry 30s (the buffer) -->',
        `  ${FENCE}sh`,
        '  find . -name x',
        `  ${FENCE}`,
      ),
    );
    expect(blocks.map((b) => [b.line, b.lang, b.text, b.directive])).toEqual([
      [4, 'sh', 'aws s3 ls', { kind: 'skip', reason: 'needs an AWS account' }],
      [7, 'json', '{}', undefined],
      [12, 'sh', 'find . -name x', { kind: 'retry', seconds: 30, reason: 'the buffer' }],
    ]);
  });

  it('refuses a block without a language, an unknown marker, and a marker without its reason', () => {
    expect(() => readmeBlocks(md(FENCE, 'x', FENCE))).toThrow(/without a language/);
    expect(() => readmeBlocks(md('<!-- readme-test: maybe -->', `${FENCE}sh`, 'x', FENCE))).toThrow(
      /unknown/,
    );
    expect(() => readmeBlocks(md('<!-- readme-test: skip -->', `${FENCE}sh`, 'x', FENCE))).toThrow(/reason/);
    expect(() => readmeBlocks(md('<!-- readme-test: retry (x) -->', `${FENCE}sh`, 'x', FENCE))).toThrow(
      /time/,
    );
  });

  it('cuts a block into steps at each "# →", with continuation lines', () => {
    const [block] = readmeBlocks(
      md(
        `${FENCE}sh`,
        'A=1',
        'echo $A',
        '# → 1',
        'printf "a\\nb\\n"',
        '# → a',
        '#   b',
        '# a comment',
        'true',
        FENCE,
      ),
    );
    expect(blockSteps(block!)).toEqual([
      { line: 2, script: 'A=1\necho $A', expected: ['1'] },
      { line: 5, script: 'printf "a\\nb\\n"', expected: ['a', 'b'] },
      { line: 8, script: '# a comment\ntrue', expected: undefined },
    ]);
  });
});

describe('comparing what was printed', () => {
  it('matches lines trimmed and squeezed, "…" within a line, a line of "…" for any lines; npm banners left out', () => {
    const printed = printedLines(
      '\n> pkg@1.0.0 compact\n> node x.ts\n\nstarted  run-123 on\nok: 3 rows\nmore\n',
    );
    expect(printed).toEqual(['started run-123 on', 'ok: 3 rows', 'more']);
    expect(matches(['started run-… on', 'ok: 3 rows', '…'], printed)).toBe(true);
    expect(matches(['…', 'more'], printed)).toBe(true);
    expect(matches(['started run-… on', 'ok: 4 rows', '…'], printed)).toBe(false); // drift
    expect(matches(['started run-… on', 'ok: 3 rows'], printed)).toBe(false); // a line too many
    expect(matches(['started (run-…) on', '…'], printed)).toBe(false); // regex characters are literal
  });
});

describe('running command blocks', () => {
  let scratch: string;
  let shell: Shell;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'readme-blocks-'));
    shell = new Shell(scratch, { PATH: process.env.PATH }, scratch);
  });
  afterEach(() => {
    shell.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  const block = (text: string, directive?: string) =>
    readmeBlocks(md(directive ?? '', `${FENCE}sh`, text, FENCE))[0]!;

  it('passes a block as written, with variables kept from block to block', async () => {
    expect(await runBlock(block('KEY=$(echo k-1)\necho "key $KEY"\n# → key k-…'), shell)).toEqual([]);
    expect(await runBlock(block('echo "$KEY"\n# → k-1'), shell)).toEqual([]);
  });

  it('fails a block whose output drifted from the README', async () => {
    const problems = await runBlock(block('echo "3 rows"\n# → 2 rows'), shell);
    expect(problems).toEqual([
      { line: 3, message: expect.stringMatching(/differs[\s\S]*2 rows[\s\S]*3 rows/) },
    ]);
  });

  it('fails a block with a command that fails, or that cannot run here (unmarked)', async () => {
    expect(await runBlock(block('false\necho after'), shell)).toEqual([
      { line: 3, message: expect.stringMatching(/a command failed: 1\tfalse/) },
    ]);
    const aws = await runBlock(block('no-such-cli-here s3 ls s3://bucket/'), shell);
    expect(aws).toEqual([
      { line: 3, message: expect.stringMatching(/a command failed: 127\tno-such-cli-here/) },
    ]);
  });

  it('runs a retry block again until it matches, and fails it when its time is up', async () => {
    const later = path.join(scratch, 'later');
    setTimeout(() => writeFileSync(later, 'delivered\n'), 1500);
    const text = `cat ${later} 2>/dev/null || echo nothing\n# → delivered`;
    expect(await runBlock(block(text, '<!-- readme-test: retry 20s (the file) -->'), shell)).toEqual([]);
    const never = await runBlock(
      block('echo nothing\n# → delivered', '<!-- readme-test: retry 2s (x) -->'),
      shell,
    );
    expect(never).toHaveLength(1);
  });
});
