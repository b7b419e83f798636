// What the query function's bundle gives node-sql-parser for `require('big-integer')` (serverless.yml
// custom.esbuild.alias): ~22 KB of library for one comparison. The Trino grammar (build/trino.js) uses it once, to
// tell whether an integer literal's text ([+-]?digits) reaches Number.MAX_SAFE_INTEGER:
//   !(bigInt(text) < bigInt(Number.MAX_SAFE_INTEGER))
// `<` compares the two through valueOf, which big-integer answers with a JavaScript number: the comparison is one of
// numbers, and Number(text) is the same number. Anything else the grammar might ask of it (a method, another kind of
// text) throws, naming this file, instead of answering differently. tests/unit/big-integer-as-number.test.ts parses
// the same literals with both.
'use strict';

module.exports = function bigIntegerAsNumber(value) {
  if (typeof value === 'number' || (typeof value === 'string' && /^[+-]?\d+$/.test(value)))
    return Number(value);
  throw new TypeError(
    `lib/query/sql-guard/big-integer-as-number.cjs stands in for big-integer's comparison of integer texts only; ` +
      `node-sql-parser asked it for ${JSON.stringify(value)}`,
  );
};
