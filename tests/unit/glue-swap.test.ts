/**
 * The Glue job's swap of a batch's staged files into the tables (resources/glue/etl_job.py swap_in, recover_swaps),
 * in python3 over a fake S3 that can fail a copy or a delete as S3 can. Spark's own dynamic overwrite deletes each
 * partition before it copies the new files in: a failure in between lost the partition's stored rows. Here no
 * failure leaves a partition without its rows, and the next run finishes or undoes what a failed one left.
 */
import { etlPlansFile } from '../../lib/etl/plans';
import { py, sharedS3, storeObjects, withPython, type Result } from '../etl/glue-job-python';

const layout = etlPlansFile().layout as unknown as Record<string, string>;
const P = 'tables/datasets/orders/';
const STAGING = '_state/tmp/run-1/table-0/';

/** A partition with two stored files, a second one with one, and the batch's staged files for both and a new one. */
const before = () => ({
  [`${P}dt=2026-03-01/part-00000-old.zstd.parquet`]: 'old rows of 03-01 (a)',
  [`${P}dt=2026-03-01/part-00001-old.zstd.parquet`]: 'old rows of 03-01 (b)',
  [`${P}dt=2026-03-02/part-00000-old.zstd.parquet`]: 'old rows of 03-02',
  [`${P}dt=2026-03-05/part-00000-kept.zstd.parquet`]: 'a partition the batch does not touch',
  [`${STAGING}_SUCCESS`]: '',
  [`${STAGING}dt=2026-03-01/part-00000-new.c000.zstd.parquet`]: 'merged rows of 03-01',
  [`${STAGING}dt=2026-03-02/part-00000-new.c000.zstd.parquet`]: 'merged rows of 03-02',
  [`${STAGING}dt=2026-03-03/part-00000-new.c000.zstd.parquet`]: 'new rows of 03-03',
  '_state/tmp/run-1/rejected-0/part-00000-r.json': '{"reason":"bad"}\n',
});
const replaced = [
  `${P}dt=2026-03-01/part-00000-old.zstd.parquet`,
  `${P}dt=2026-03-01/part-00001-old.zstd.parquet`,
  `${P}dt=2026-03-02/part-00000-old.zstd.parquet`,
];
const rejectedPlace = 'rejected/table_name=orders/run_date=2026-03-06/run-1-0.json';

/** The copies swap_in is given: the staged part files at their places, and the staged rejected records. */
function copies(): string[][] {
  const [staged] = py([
    ['staged_copies', STAGING, Object.keys(before()).filter((k) => k.startsWith(STAGING)), P],
  ]) as Result[];
  return [...staged!.value, ['_state/tmp/run-1/rejected-0/part-00000-r.json', rejectedPlace]];
}

/** The table's and the rejected store's objects (what a query reads), by key. */
const visible = (objects: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(objects).filter(([k]) => k.startsWith('tables/') || k.startsWith('rejected/')),
  );

const after = {
  [`${P}dt=2026-03-01/part-00000-new.c000.zstd.parquet`]: 'merged rows of 03-01',
  [`${P}dt=2026-03-02/part-00000-new.c000.zstd.parquet`]: 'merged rows of 03-02',
  [`${P}dt=2026-03-03/part-00000-new.c000.zstd.parquet`]: 'new rows of 03-03',
  [`${P}dt=2026-03-05/part-00000-kept.zstd.parquet`]: 'a partition the batch does not touch',
  [rejectedPlace]: '{"reason":"bad"}\n',
};
const journal = '_state/swaps/run-1-0.json';
const swap = (
  fail?: { copy?: number; delete?: number | number[] },
  objects = before(),
  outcome?: unknown,
) => [
  'swap_in',
  sharedS3('s', objects, fail),
  'cur',
  journal,
  copies(),
  replaced,
  [STAGING, '_state/tmp/run-1/rejected-0/'],
  ...(outcome ? [outcome] : []),
];

describe('the Glue job swaps a batch into the tables so that no failure loses stored rows', () => {
  withPython(
    'puts the staged files in place of those of the partitions written, then removes the journal and the staging',
    () => {
      expect(
        copies()
          .slice(0, 3)
          .map(([, place]) => place),
      ).toEqual(Object.keys(after).slice(0, 3));
      const [r, objects] = py([swap(), storeObjects('s')]);
      expect(r!.error).toBeUndefined();
      expect(objects!.value).toEqual(after);
    },
  );

  withPython(
    'a copy that fails leaves every stored row; the next run undoes the copies made, and the partitions are as before',
    () => {
      const [failed, left, recovered, objects] = py([
        swap({ copy: 2 }),
        storeObjects('s'),
        ['recover_swaps', sharedS3('s'), 'cur', layout],
        storeObjects('s'),
      ]);
      expect(failed!.error).toMatch(/injected copy failure/);
      // What queries read meanwhile: every old file, and the one new file copied (its partition's rows twice over).
      for (const k of replaced) expect(left!.value[k]).toBeDefined();
      expect(JSON.parse(left!.value[journal])).toMatchObject({ phase: 'copy' });
      expect(recovered!.value).toEqual([{ journal, finished: false, undone: 4 }]);
      expect(visible(objects!.value)).toEqual(visible(before()));
      expect(Object.keys(objects!.value).filter((k) => k.startsWith('_state/'))).toEqual([]);
    },
  );

  withPython('a delete that fails after every copy: the next run finishes the swap', () => {
    const [failed, left, recovered, objects] = py([
      // Every one of its attempts (a key's own error is asked again, DELETE_ATTEMPTS times).
      swap({ delete: [1, 2, 3, 4] }),
      storeObjects('s'),
      ['recover_swaps', sharedS3('s'), 'cur', layout],
      storeObjects('s'),
    ]);
    expect(failed!.error).toMatch(/injected delete failure/);
    expect(JSON.parse(left!.value[journal])).toMatchObject({ phase: 'delete' });
    expect(recovered!.value).toEqual([{ journal, finished: true, deleted: 3 }]);
    expect(objects!.value).toEqual(after);
    expect(recovered!.printed).toMatch(/"warning": "a swap that a failed run left was finished or undone"/);
  });

  withPython(
    "records the batch's outcome as the swap's last step: a run that finishes the swap does not take its inputs again",
    () => {
      const pending = `${layout.pendingUploadsPrefix}up-1.json`;
      const done = `${layout.uploadResultsPrefix}up-1.json`;
      const manifest = `${layout.compactionPrefix}page_view/arrival_date=2026-03-01.json`;
      const stored = { ...before(), [pending]: '{"execution": "up-1"}', [manifest]: '{"processed": ["a"]}' };
      const outcome = {
        uploads: [[done, pending, { execution: 'up-1', status: 'SUCCEEDED', rowsRead: 3 }]],
        manifests: [[manifest, ['b', 'a']]],
      };
      const recorded = (objects: Record<string, string>) => ({
        result: objects[done] === undefined ? undefined : JSON.parse(objects[done]),
        pending: objects[pending] !== undefined,
        manifest: JSON.parse(objects[manifest]!),
      });
      const untouched = { result: undefined, pending: true, manifest: { processed: ['a'] } };
      const taken = {
        result: { execution: 'up-1', status: 'SUCCEEDED', rowsRead: 3 },
        pending: false,
        manifest: { processed: ['a', 'b'], versions: {} },
      };

      // The run stops while deleting what the copies replace: the outcome is recorded by the run that finishes it.
      const [failed, left, recovered, objects] = py([
        swap({ delete: [1, 2, 3, 4] }, stored, outcome),
        storeObjects('s'),
        ['recover_swaps', sharedS3('s'), 'cur', layout],
        storeObjects('s'),
      ]);
      expect(failed!.error).toMatch(/injected delete failure/);
      expect(JSON.parse(left!.value[journal])).toMatchObject({ phase: 'delete', outcome });
      expect(recorded(left!.value)).toEqual(untouched);
      expect(recovered!.value).toEqual([{ journal, finished: true, deleted: 3 }]);
      expect(recorded(objects!.value)).toEqual(taken);
      expect(visible(objects!.value)).toEqual(after);

      // Undone (a copy failed), the batch's inputs stay to be taken again: nothing is recorded.
      const [, undone] = py([
        swap({ copy: 2 }, stored, outcome),
        ['recover_swaps', sharedS3('s'), 'cur', layout],
        storeObjects('s'),
      ]).slice(1);
      expect(recorded(undone!.value)).toEqual(untouched);

      // Once the swap went through, recorded by the run itself; a result there already is kept.
      const [ok, once] = py([swap(undefined, stored, outcome), storeObjects('s')]);
      expect(ok!.error).toBeUndefined();
      expect(recorded(once!.value)).toEqual(taken);
      const [, kept] = py([
        swap(undefined, { ...stored, [done]: '{"status": "FAILED"}' }, outcome),
        storeObjects('s'),
      ]);
      expect(recorded(kept!.value)).toEqual({ ...taken, result: { status: 'FAILED' } });
    },
  );

  withPython('a delete S3 answers with a key of its own error once is asked again: the swap ends', () => {
    const [r, objects] = py([swap({ delete: 1 }), storeObjects('s')]);
    expect(r!.error).toBeUndefined();
    expect(objects!.value).toEqual(after);
  });

  withPython(
    'each attempt of a run id works in a folder of its own (what a dead attempt left is never swapped in)',
    () => {
      const args = (jobRun: string) => ({
        etl_mode: 'events',
        run_id: 'exec-A',
        raw_bucket: 'raw',
        curated_bucket: 'cur',
        plans_bucket: 'p',
        plans_key: 'k',
        JOB_RUN_ID: jobRun,
      });
      const [a, b] = py([
        ['job_options', args('jr_1')],
        ['job_options', args('jr_2')],
      ]);
      expect([a!.value.work, b!.value.work]).toEqual(['exec-A/jr_1/', 'exec-A/jr_2/']);
    },
  );

  withPython('a damaged journal is named, and nothing is changed', () => {
    for (const body of [
      '{"phase": "copy", "copies": [',
      '[]',
      '{"phase": "copy", "copies": [["a"]], "deletes": [], "staging": []}',
      // An outcome of another shape (swap_in writes {"uploads": [[result, pending, {…}]], "manifests": [[key, [keys]]]}).
      ...[
        'null',
        '[]',
        '{"uploads": null}',
        '{"uploads": 5}',
        '{"manifests": null}',
        '{"manifests": [["k", "x"]]}',
      ].map((o) => `{"phase": "delete", "copies": [], "deletes": [], "staging": [], "outcome": ${o}}`),
    ]) {
      const [r, objects] = py([
        [
          'recover_swaps',
          sharedS3('d', { [journal]: body, [`${P}dt=2026-03-01/x.parquet`]: 'rows' }),
          'cur',
          layout,
        ],
        storeObjects('d'),
      ]);
      expect(r!.error).toMatch(/s3:\/\/cur\/_state\/swaps\/run-1-0\.json is damaged .*"Damaged state files"/);
      expect(objects!.value[`${P}dt=2026-03-01/x.parquet`]).toBe('rows');
    }
  });
});

describe('the Glue job names a rejected file as the local runner does', () => {
  withPython('a name a run before took (the same run id, run again) gets -<i>, the first free one', () => {
    const base = 'rejected/table_name=orders/run_date=2026-03-06/scheduled-1-0.json';
    const s3 = sharedS3('r', {
      [base]: 'first run',
      'rejected/table_name=orders/run_date=2026-03-06/scheduled-1-0-1.json': 'second',
    });
    const [free, none, written] = py([
      ['free_rejected_key', s3, 'cur', base, []],
      ['free_rejected_key', sharedS3('e'), 'cur', base, []],
      ['free_rejected_key', sharedS3('e'), 'cur', base, [base]],
    ]);
    expect(free!.value).toBe('rejected/table_name=orders/run_date=2026-03-06/scheduled-1-0-2.json');
    expect(none!.value).toBe(base);
    expect(written!.value).toBe('rejected/table_name=orders/run_date=2026-03-06/scheduled-1-0-1.json');
  });
});
