/**
 * The event validators' date-time and uri checks (lib/validators/formats.ts: ajv-formats' full checks behind the
 * fast paths of lib/validators/format-fast-paths.ts) give ajv-formats' own answer for every string: generated
 * strings close to the common forms (valid and not: every month and day edge, leap years, hours, seconds 60,
 * offsets, separators; URLs with every character class, percent-escapes, ports, user info, IP literals) are judged
 * by both and must agree.
 */
import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats';
import { eventFormats } from '../../lib/validators/formats';

const SEED = 20261203;
const RUNS = 20_000;

const libraryDateTime = (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate;
const libraryUri = fullFormats.uri as (s: string) => boolean;
const lakeDateTime = eventFormats['date-time'].validate;
const lakeUri = eventFormats.uri;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => pad(n, 2));

const dateTimes = fc
  .record({
    year: fc.oneof(
      fc.constantFrom(0, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9999),
      fc.integer({ min: 0, max: 9999 }),
    ),
    month: fc.integer({ min: 0, max: 19 }),
    day: fc.integer({ min: 0, max: 39 }),
    hour: fc.integer({ min: 0, max: 29 }),
    minute: fc.integer({ min: 0, max: 69 }),
    second: fc.integer({ min: 0, max: 69 }),
    fraction: fc.constantFrom('', '.', '.1', '.123', '.123456789', '.x'),
    separator: fc.constantFrom('T', 'T', 'T', 't', ' ', '_'),
    offset: fc.oneof(
      fc.constantFrom('Z', 'Z', 'z', '', '+00:00', '-00:00', '+0530', '+05', '+24:00', '-23:59', '+12:60'),
      fc.tuple(fc.constantFrom('+', '-'), twoDigits, twoDigits).map(([s, h, m]) => `${s}${h}:${m}`),
    ),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}${t.separator}` +
      `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.offset}`,
  );

const hostChar = fc.constantFrom(..."abcXYZ019.-_~!$&'()*+,;=%@:[] /?#é".split(''));
const pathChar = fc.constantFrom(...'abZ09-._~!$&\'()*+,;=:@/%?#[] "<>\\^`{|}é'.split(''));
const escape = fc.constantFrom('%20', '%2F', '%e9', '%G0', '%2', '%');
const urls = fc
  .record({
    scheme: fc.constantFrom(
      'http://',
      'https://',
      'HTTPS://',
      'ftp://',
      'http:/',
      'http:',
      'mailto:',
      '//',
      '',
    ),
    userInfo: fc.constantFrom('', '', 'user:pw@', 'a%20b@'),
    host: fc.oneof(
      fc.constantFrom('shop.example.com', 'localhost', '127.0.0.1', '999.1.1.1', '[::1]', '[v1.x]', ''),
      fc.array(hostChar, { minLength: 0, maxLength: 12 }).map((cs) => cs.join('')),
    ),
    port: fc.constantFrom('', '', ':8080', ':', ':x'),
    path: fc.array(fc.oneof(pathChar, escape), { minLength: 0, maxLength: 20 }).map((cs) => cs.join('')),
  })
  .map((u) => `${u.scheme}${u.userInfo}${u.host}${u.port}${u.path}`);

/** Asserts that `lake` and `library` agree on every generated string, and that both answers came up often. */
function agreeOn(
  strings: fc.Arbitrary<string>,
  lake: (s: string) => boolean,
  library: (s: string) => boolean,
): void {
  const seen = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(strings, (s) => {
      const expected = library(s);
      expect({ s, valid: lake(s) }).toEqual({ s, valid: expected });
      seen[expected ? 'valid' : 'invalid']++;
    }),
    { seed: SEED, numRuns: RUNS },
  );
  // The generator reaches both answers often (a test that only ever saw one answer could not fail usefully).
  expect(seen.valid).toBeGreaterThan(RUNS / 50);
  expect(seen.invalid).toBeGreaterThan(RUNS / 50);
}

/** Both checks give `valid` for each string. */
function expectAnswers(
  cases: [string, boolean][],
  lake: (s: string) => boolean,
  library: (s: string) => boolean,
): void {
  for (const [s, valid] of cases) {
    expect({ s, lake: lake(s), library: library(s) }).toEqual({ s, lake: valid, library: valid });
  }
}

describe('event formats: the fast paths give ajv-formats’ answer', () => {
  it('date-time: every generated string, valid and not, is judged as the library judges it', () => {
    agreeOn(dateTimes, lakeDateTime, libraryDateTime);
  });

  it('date-time: the edges of the calendar and of the time of day', () => {
    const cases: [string, boolean][] = [
      ['2024-02-29T00:00:00.000Z', true],
      ['2023-02-29T00:00:00.000Z', false],
      ['1900-02-29T00:00:00Z', false],
      ['2000-02-29T00:00:00Z', true],
      ['0000-02-29T00:00:00Z', true],
      ['2026-04-31T12:00:00+02:00', false],
      ['2026-12-31T23:59:59.999999-23:59', true],
      ['2026-00-10T00:00:00Z', false],
      ['2026-13-10T00:00:00Z', false],
      ['2026-01-00T00:00:00Z', false],
      ['2026-06-30T23:59:60Z', true], // a leap second: the library's rule
      ['2026-06-30T22:59:60-01:00', true],
      ['2026-06-30T12:59:60Z', false],
      ['2026-06-30T24:00:00Z', false],
      ['2026-06-30T12:00:00', false], // no offset: the full check wants one
      ['2026-06-30t12:00:00z', true],
      ['2026-06-30 12:00:00Z', true],
    ];
    expectAnswers(cases, lakeDateTime, libraryDateTime);
  });

  it('uri: every generated string, valid and not, is judged as the library judges it', () => {
    agreeOn(urls, lakeUri, libraryUri);
  });

  it('uri: common URLs and the forms only the library judges', () => {
    const cases: [string, boolean][] = [
      ['https://shop.example.com/c/shoes?ref=home&utm_source=news#top', true],
      ['HTTP://Shop.Example.COM:8080/a%20b/', true],
      ['https://shop.example.com/a%2', false],
      ['https://shop.example.com/a b', false],
      ['https://shop.example.com/é', false],
      ['https://user:pw@example.com/', true],
      ['https://[::1]:8443/x', true],
      ['https://[::1/x', false],
      ['mailto:someone@example.com', true],
      ['urn:isbn:0451450523', true],
      ['https://', true], // an empty host: RFC 3986 allows it, and so does the library
      ['example.com/path', false], // no scheme
    ];
    expectAnswers(cases, lakeUri, libraryUri);
  });
});
