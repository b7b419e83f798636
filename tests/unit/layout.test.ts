import layoutJson from '../../lib/lake-layout.json';
import {
  deliveredObjectName,
  extractPartitionKeys,
  firehoseObjectId,
  rawEventsFormat,
  formatJavaTimestamp,
  renderPrefix,
} from '../../lib/layout';

const t = Date.UTC(2026, 0, 5, 7, 8, 9);

describe('Firehose prefix rendering', () => {
  it('formats Java DateTimeFormatter patterns in UTC', () => {
    expect(formatJavaTimestamp('yyyy-MM-dd', t)).toBe('2026-01-05');
    expect(formatJavaTimestamp('HH', t)).toBe('07');
    expect(formatJavaTimestamp("yyyy/MM/dd/'h'HH", t)).toBe('2026/01/05/h07');
    expect(() => formatJavaTimestamp('YYYY', t)).toThrow(/unsupported/);
  });

  it('renders the delivery stream prefix with the partition key and the arrival time', () => {
    expect(
      renderPrefix(layoutJson.rawEvents.prefix, { partitionKeys: { type: 'page_view' }, arrivalMs: t }),
    ).toBe('events/type=page_view/arrival_date=2026-01-05/arrival_hour=07/');
    expect(
      renderPrefix(layoutJson.rawEvents.errorPrefix, { arrivalMs: t, errorOutputType: 'processing-failed' }),
    ).toBe('errors/events/processing-failed/arrival_date=2026-01-05/arrival_hour=07/');
  });

  it('refuses to render a prefix whose partition key is missing', () => {
    expect(() => renderPrefix(layoutJson.rawEvents.prefix, { arrivalMs: t })).toThrow(/partition key/);
  });

  it('names objects like Firehose: stream, version, timestamp, unique id, the compression extension', () => {
    expect(deliveredObjectName('s', t, 'abc')).toBe('s-1-2026-01-05-07-08-09-abc.gz');
    // The unique id is a UUID, derived from its seed (a redelivered segment names the same objects).
    const id = firehoseObjectId('segment-1\npage_view');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(firehoseObjectId('segment-1\npage_view')).toBe(id);
    expect(firehoseObjectId('segment-1\nsignup')).not.toBe(id);
  });

  it('declares the raw events format once: JSON lines, compressed as the stream says, named as Firehose names it', () => {
    expect(layoutJson.rawEvents.compression).toBe('GZIP');
    expect(rawEventsFormat).toEqual({ format: 'jsonl', gzip: true, extension: '.gz' });
  });

  it('extracts partition keys as the {type: .type} query does, refusing values that would leave the folder', () => {
    expect(extractPartitionKeys({ type: 'signup' })).toEqual({ type: 'signup' });
    expect(extractPartitionKeys({ type: 3 })).toEqual({ type: '3' });
    expect(extractPartitionKeys({})).toBeUndefined();
    expect(extractPartitionKeys([])).toBeUndefined();
    expect(extractPartitionKeys({ type: '../x' })).toBeUndefined();
    expect(extractPartitionKeys({ type: '..' })).toBeUndefined();
  });
});
