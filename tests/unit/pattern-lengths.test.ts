/**
 * The length limit of a pattern that repeats a group, as the validators apply it (lib/validators/pattern-lengths.ts):
 * ingest and the upload check's sample refuse what the ETL would reject for its length (Java's regular expressions
 * on Glue overflow their stack on longer text), naming the field; the schema itself is not changed.
 */
import { REPEATED_GROUP_MAX_CHARS } from '../../lib/etl/portable-regex';
import { compileValidator } from '../../lib/validators/compile';
import { withPatternLengths } from '../../lib/validators/pattern-lengths';

const schema = {
  type: 'object',
  properties: {
    slug: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
    code: { type: 'string', pattern: '^[A-Z]+$' },
    mail: { type: 'string', format: 'email' },
    short: { type: 'string', pattern: '^(ab)+$', maxLength: 10 },
    nested: { type: 'object', properties: { path: { type: 'string', pattern: '^(/[a-z]+)+$' } } },
    pattern: { const: { pattern: '^(a|b)*$' } },
  },
  $defs: { tag: { type: 'string', pattern: '^(?:x|y)*$' } },
};

const slug = (n: number) => `a${'-b'.repeat(n)}`.slice(0, n - 1) + 'c';

describe('a pattern repeating a group takes at most REPEATED_GROUP_MAX_CHARS characters in the validators', () => {
  const validate = compileValidator('events', 'pattern-lengths', schema);
  const n = REPEATED_GROUP_MAX_CHARS;

  it('accepts a value as long as the limit and refuses a longer one, naming the field', () => {
    expect(validate({ slug: slug(n), nested: { path: '/a'.repeat(n / 2) } })).toBe(true);
    expect(validate({ slug: slug(n + 1), nested: { path: '/a'.repeat(n / 2 + 1) } })).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.keyword, e.params])).toEqual([
      ['/slug', 'maxLength', { limit: n }],
      ['/nested/path', 'maxLength', { limit: n }],
    ]);
  });

  it('limits the email format too; a pattern without a repeated group, or a smaller maxLength, is left as it is', () => {
    expect(validate({ mail: `${'x'.repeat(n - 12)}@example.com` })).toBe(true);
    expect(validate({ mail: `${'x'.repeat(n - 11)}@example.com` })).toBe(false);
    expect(validate({ code: 'A'.repeat(5 * n) })).toBe(true);
    expect(validate({ short: 'ab'.repeat(6) })).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.params])).toEqual([['/short', { limit: 10 }]]);
  });

  it('copies the schema (a const holding a pattern and the schema object itself unchanged)', () => {
    const before = JSON.stringify(schema);
    const limited = withPatternLengths(schema);
    expect(JSON.stringify(schema)).toBe(before);
    expect(limited.properties.pattern).toBe(schema.properties.pattern);
    expect(limited.properties.code).toBe(schema.properties.code);
    expect(limited.$defs.tag).toEqual({ ...schema.$defs.tag, maxLength: n });
    expect(validate({ pattern: { pattern: '^(a|b)*$' } })).toBe(true);
  });
});
