import { preferredCoding } from '../../local/response-compression';

describe("the local gateway's payload compression: the coding of Accept-Encoding API Gateway would use", () => {
  it.each([
    ['gzip', 'gzip'],
    ['deflate, gzip;q=0.5', 'deflate'],
    ['gzip, deflate, br', 'gzip'], // a browser's: br ranks no higher than gzip
    ['GZIP;q=0.8, deflate;q=0.2', 'gzip'],
    ['identity, gzip;q=0.5', undefined], // identity ranked first: not compressed
    ['br, gzip;q=0.5', undefined], // a coding API Gateway lacks ranked first: not compressed
    ['br;q=1.0, gzip;q=0.8', undefined],
    ['gzip;q=0', undefined],
    ['identity', undefined],
    ['*', undefined], // no coding named, as no header: not compressed
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p', (header, coding) => {
    expect(preferredCoding(header)).toBe(coding);
  });
});
