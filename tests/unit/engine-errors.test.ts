import { explainEngineError } from '../../lib/query/duckdb/trino-functions';

describe("the local engine's errors in the words of the difference", () => {
  it('a value longer than a Node.js string names the limit and what to select instead, not V8', () => {
    let v8: string | undefined;
    try {
      Buffer.alloc(0x1fffffe8 + 1).toString('latin1');
    } catch (e) {
      v8 = (e as Error).message;
    }
    for (const message of [
      v8 ?? 'Cannot create a string longer than 0x1fffffe8 characters',
      'Invalid string length',
    ]) {
      expect(explainEngineError(message)).toBe(
        'not supported by the local engine: a result value of more than 536,870,888 characters: the local engine ' +
          'holds each value as one Node.js string, and none is longer (Athena writes its results to S3): select a ' +
          'part of it (substr) or its length',
      );
    }
  });
});
