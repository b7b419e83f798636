/**
 * The 503 of a request the delivery stream did not wholly take (lib/ingest-accounting.ts partialDeliveryError): which
 * ids are stored, which are not, and — on the local lake, for records written before the writer found its segment
 * taken or its folder moved (MaybeStored) — which may be: the message says so, rather than that they were not.
 */
import { partialDeliveryError } from '../../lib/ingest-accounting';
import { DISK_FULL, MAYBE_STORED } from '../../lib/firehose/types';

const records = ['a', 'b', 'c'].map((id) => ({ id, type: 'page_view', line: `{"id":"${id}"}` }));
const failed = (id: string, errorCode: string) => ({
  index: records.findIndex((r) => r.id === id),
  id,
  errorCode,
  errorMessage: 'x',
});

it('says failed records may be stored when the writer wrote them before it found its segment taken', () => {
  const e = partialDeliveryError(records, [failed('b', MAYBE_STORED), failed('c', MAYBE_STORED)], undefined);
  expect(e.status).toBe(503);
  expect(e.code).toBe('DELIVERY_FAILED');
  expect(e.message).toBe(
    '2 of 3 event(s) were not accepted (2 of them may be stored all the same: written before the lake found its ' +
      'write-ahead segment taken by another lake, or its folder moved); retry them with their ids (ids are ' +
      'deduplicated downstream)',
  );
  expect(e.details).toMatchObject({ acceptedIds: ['a'], failedIds: ['b', 'c'], ids: ['a', 'b', 'c'] });
});

it('on AWS, says the records may be stored because an attempt got no answer from Firehose', () => {
  const before = process.env.LAKE_RUNTIME;
  process.env.LAKE_RUNTIME = 'aws';
  try {
    const e = partialDeliveryError(records, [failed('c', MAYBE_STORED)], undefined);
    expect(e.message).toBe(
      '1 of 3 event(s) were not accepted (1 of them may be stored all the same: an attempt got no answer from ' +
        'Firehose in time, and Firehose may have taken them); retry them with their ids (ids are deduplicated downstream)',
    );
  } finally {
    if (before === undefined) delete process.env.LAKE_RUNTIME;
    else process.env.LAKE_RUNTIME = before;
  }
});

it('says nothing of the kind for records the stream refused', () => {
  const e = partialDeliveryError(records, [failed('c', DISK_FULL)], undefined);
  expect(e.code).toBe('STORAGE_FULL');
  expect(e.message).toBe(
    '1 of 3 event(s) were not accepted: the lake has no space left on its disk; retry them with their ids (ids are ' +
      'deduplicated downstream)',
  );
});

it('names the failed events by their place: an id given to events of two types, one of them stored', () => {
  const both = [
    { id: 'x-1', type: 'signup', line: '{"id":"x-1","type":"signup"}' },
    { id: 'x-1', type: 'page_view', line: '{"id":"x-1","type":"page_view"}' },
  ];
  const e = partialDeliveryError(
    both,
    [{ index: 0, id: 'x-1', errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' }],
    undefined,
  );
  expect(e.message).toMatch(/^1 of 2 event\(s\) were not accepted/);
  expect(e.details).toEqual({
    accepted: 1,
    acceptedIds: ['x-1'],
    failedIds: ['x-1'],
    failedIndexes: [0],
    ids: ['x-1', 'x-1'],
    errorCodes: ['ServiceUnavailableException'],
  });
});
