/**
 * The upload check and a required column whose type allows null (`"type": ["string", "null"]`): an explicit null
 * (JSON `null`, an empty CSV field) is its value, as ingest and the ETL take it; a key left out is still missing.
 */
import { datasetTable } from '../../lib/catalog/table-from-schema';
import { csvChecker } from '../../lib/uploads/check-csv';
import { jsonChecker } from '../../lib/uploads/check-json';
import { sampleLimits } from '../../lib/uploads/types';
import { compileValidator } from '../../lib/validators/compile';

const schema = {
  type: 'object',
  required: ['id', 'day', 'note', 'code'],
  properties: {
    id: { type: 'string' },
    day: { type: 'string', format: 'date' },
    note: { type: ['string', 'null'], maxLength: 10 },
    code: { type: 'string' },
    tier: { type: ['string', 'null'], enum: ['gold', 'silver'] },
  },
  'x-lake': {
    primaryKey: ['id'],
    partitionBy: 'day',
    formats: ['csv' as const, 'jsonl' as const, 'json' as const],
  },
};
const ds = {
  name: 'things',
  schema,
  table: { ...datasetTable('things', schema), maxRejectedRatio: 0 },
  validate: compileValidator('datasets', 'things', schema),
};

const json = (text: string, lines = true) => {
  const c = jsonChecker(ds, sampleLimits(), lines);
  c.push(text);
  return c.finish(true);
};
const csv = (text: string) => {
  const c = csvChecker(ds, sampleLimits());
  c.push(text);
  return c.finish(true);
};

it('takes an explicit null in a required column that allows null, in JSON lines and a JSON array', () => {
  expect(
    json(
      '{"id":"a","day":"2026-01-01","note":"x","code":"c"}\n{"id":"b","day":"2026-01-01","note":null,"code":"c"}\n',
    ),
  ).toBeNull();
  expect(json('[{"id":"b","day":"2026-01-01","note":null,"code":"c"}]', false)).toBeNull();
  // Left out, it is missing; a null where null is not allowed too.
  expect(json('{"id":"b","day":"2026-01-01","code":"c"}\n')).toEqual(
    expect.objectContaining({ code: 'HEADER_MISMATCH', field: 'note' }),
  );
  expect(json('{"id":"b","day":"2026-01-01","note":"x","code":null}\n')).toEqual(
    expect.objectContaining({ field: 'code' }),
  );
});

it('takes a null in an optional column as absent, whatever its other rules (an enum without null), as the ETL does', () => {
  expect(csv('id,day,note,code,tier\na,2026-01-01,x,c,\n')).toBeNull();
  expect(json('{"id":"a","day":"2026-01-01","note":"x","code":"c","tier":null}\n')).toBeNull();
  expect(json('{"id":"a","day":"2026-01-01","note":"x","code":"c","tier":"bronze"}\n')).toEqual(
    expect.objectContaining({ code: 'ROW_INVALID', field: 'tier' }),
  );
});

it('takes an empty CSV field as the null of a required column that allows null, and as missing elsewhere', () => {
  expect(csv('id,day,note,code\na,2026-01-01,,c\nb,2026-01-01,,c\n')).toBeNull();
  expect(csv('id,day,note,code\na,2026-01-01,x,\n')).toEqual(
    expect.objectContaining({
      code: 'ROW_INVALID',
      field: 'code',
      message: expect.stringContaining('is required'),
    }),
  );
});
