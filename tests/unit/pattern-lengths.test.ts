/**
 * The length limit of a pattern that repeats a group, as the validators apply it (lib/validators/pattern-lengths.ts):
 * ingest and the upload check's sample refuse what the ETL would reject for its length (Java's regular expressions
 * on Glue overflow their stack on longer text), naming the field — on the columns the ETL tests, nowhere else; the
 * schema itself is not changed.
 */
import { REPEATED_GROUP_MAX_CHARS } from '../../lib/etl/portable-regex';
import { compileValidator } from '../../lib/validators/compile';
import { withPatternLengths } from '../../lib/validators/pattern-lengths';

const schema = {
  type: 'object',
  properties: {
    slug: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
    code: { type: 'string', pattern: '^[A-Z]+$' },
    key: { type: 'string', pattern: '^(?:[0-9a-f]{2}){128}$' },
    mail: { type: ['string', 'null'], format: 'email' },
    examples: { type: 'string', format: 'email' },
    short: { type: 'string', pattern: '^(ab)+$', maxLength: 10 },
    part: { type: 'string', not: { pattern: '^(?:[0-9]+-)+[0-9]+$' } },
    nested: { type: 'object', properties: { path: { type: 'string', pattern: '^(/[a-z]+)+$' } } },
    tags: { type: 'array', items: { type: 'string', format: 'email' } },
  },
  $defs: { tag: { type: 'string', pattern: '^(?:x|y)*$' } },
};

const slug = (n: number) => `a${'-b'.repeat(n)}`.slice(0, n - 1) + 'c';

describe('a column whose pattern repeats a group takes at most REPEATED_GROUP_MAX_CHARS characters in the validators', () => {
  const validate = compileValidator('events', 'pattern-lengths', schema);
  const n = REPEATED_GROUP_MAX_CHARS;
  const errors = () => validate.errors?.map((e) => [e.instancePath, e.keyword, e.params]);

  it('accepts a value as long as the limit and refuses a longer one, naming the field', () => {
    expect(validate({ slug: slug(n) })).toBe(true);
    expect(validate({ slug: slug(n + 1) })).toBe(false);
    expect(errors()).toEqual([['/slug', 'maxLength', { limit: n }]]);
  });

  it('limits an email column too, whatever its name; leaves a pattern without such a repeat and a smaller maxLength', () => {
    expect(validate({ mail: `${'x'.repeat(n - 12)}@example.com`, examples: 'a@example.com' })).toBe(true);
    expect(
      validate({ mail: `${'x'.repeat(n - 11)}@example.com`, examples: `${'x'.repeat(n)}@example.com` }),
    ).toBe(false);
    expect(errors()).toEqual([
      ['/mail', 'maxLength', { limit: n }],
      ['/examples', 'maxLength', { limit: n }],
    ]);
    expect(validate({ code: 'A'.repeat(5 * n), key: 'ab'.repeat(128), mail: null })).toBe(true);
    expect(validate({ short: 'ab'.repeat(6) })).toBe(false);
    expect(errors()).toEqual([['/short', 'maxLength', { limit: 10 }]]);
  });

  it('leaves the rules the ETL does not test: under not, inside a JSON column, array items, $defs', () => {
    expect(validate({ part: '1-'.repeat(150) + '1' })).toBe(false);
    expect(
      validate({
        nested: { path: '/a'.repeat(n) },
        tags: [`${'x'.repeat(n)}@example.com`],
      }),
    ).toBe(true);
    const before = JSON.stringify(schema);
    const limited = withPatternLengths(schema);
    expect(JSON.stringify(schema)).toBe(before);
    expect(limited.$defs).toBe(schema.$defs);
    expect(limited.properties.part).toBe(schema.properties.part);
    expect(limited.properties.slug).toEqual({ ...schema.properties.slug, maxLength: n });
  });

  it('compiles a schema whose email format sits on a non-string column (ajv strict mode)', () => {
    const odd = { type: 'object', properties: { n: { type: 'integer', format: 'email' } } };
    expect(withPatternLengths(odd)).toBe(odd);
  });
});
