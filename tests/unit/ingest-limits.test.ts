/**
 * The ingest limits from the environment (lib/config.ts ingestLimits): integers in their range, or an error naming
 * the variable and why (the function does not start), never a value taken as something else.
 */
import { ingestLimits } from '../../lib/config';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('ingestLimits', () => {
  it('defaults to 4 MiB, 500 events and a day of clock skew', () => {
    delete process.env.INGEST_MAX_EVENTS;
    delete process.env.INGEST_MAX_BODY_BYTES;
    delete process.env.INGEST_MAX_FUTURE_SKEW_SECONDS;
    expect(ingestLimits()).toEqual({
      maxBodyBytes: 4 * 1024 * 1024,
      maxEvents: 500,
      maxFutureSkewSeconds: 86_400,
    });
  });

  it('takes an integer in range', () => {
    process.env.INGEST_MAX_EVENTS = '100';
    expect(ingestLimits().maxEvents).toBe(100);
  });

  it.each([
    [
      '2.5',
      /INGEST_MAX_EVENTS must be an integer from 1 to 500 \(Firehose PutRecordBatch takes at most 500 records\), got '2.5'/,
    ],
    ['501', /INGEST_MAX_EVENTS must be an integer from 1 to 500 .*got '501'/],
    ['0', /got '0'/],
    ['many', /got 'many'/],
  ])('refuses INGEST_MAX_EVENTS=%s, naming the range', (value, message) => {
    process.env.INGEST_MAX_EVENTS = value;
    expect(() => ingestLimits()).toThrow(message);
  });

  it.each(['86401', '259200'])(
    'refuses INGEST_MAX_FUTURE_SKEW_SECONDS=%s: beyond the day ahead Athena projects event_date partitions',
    (value) => {
      process.env.INGEST_MAX_FUTURE_SKEW_SECONDS = value;
      expect(() => ingestLimits()).toThrow(
        new RegExp(
          `INGEST_MAX_FUTURE_SKEW_SECONDS must be an integer from 0 to 86400 .*NOW\\+1DAYS.*got '${value}'`,
        ),
      );
    },
  );

  it('takes a future skew of a day or less', () => {
    process.env.INGEST_MAX_FUTURE_SKEW_SECONDS = '3600';
    expect(ingestLimits().maxFutureSkewSeconds).toBe(3600);
  });
});
