import { bindingArgumentsOnce } from '../../lib/query/dialect/bind-once';
import { macroStatements } from '../../lib/query/trino-compat';

describe('macro bodies that take their value once (lib/query/dialect/bind-once.ts)', () => {
  it('binds a first parameter named more than once through a one-element lambda, other names as they are', () => {
    expect(
      bindingArgumentsOnce('f', ['s', 'p'], "CASE WHEN s = '' OR 's' = p THEN p ELSE x.s || s(1) || s END"),
    ).toBe(
      "list_transform([{'s': s}], lake_f_2 -> CASE WHEN lake_f_2.s = '' OR 's' = p THEN p ELSE x.s || s(1) || lake_f_2.s END)[1]",
    );
    // Named once: left as it is; a lambda of the body binding the name: left as it is (it would see the field).
    expect(bindingArgumentsOnce('f', ['s', 'p'], 'upper(s) || p || p')).toBe('upper(s) || p || p');
    expect(bindingArgumentsOnce('f', ['s'], 'list_transform(s, s -> s + 1) || s')).toBe(
      'list_transform(s, s -> s + 1) || s',
    );
  });

  it('the nested text functions name their value once in the statements the engine runs', () => {
    for (const statement of macroStatements().filter((s) =>
      / MACRO (replace|split_part|regexp_replace)\(/.test(s),
    ))
      for (const [, params, body] of statement.matchAll(
        /\(([a-z_, ]+)\) AS (.+?)(?=, \([a-z_, ]+\) AS |$)/g,
      )) {
        const value = params!.split(', ')[0]!;
        const named = body!.match(new RegExp(`(?<![.'\\w])${value}(?![\\w'(])`, 'g')) ?? [];
        expect([statement.slice(0, 40), named.length]).toEqual([statement.slice(0, 40), 1]);
      }
  });
});
