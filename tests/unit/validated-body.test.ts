/** One parse of a request body: the local gateway's request validator hands its parse to the handler. */
import { isUtf8 } from 'node:buffer';
import { parseJsonBody } from '../../lib/http';
import { recordParsedBody, recordedParse } from '../../lib/validated-body';
import { checkRequestBody, compileRequestModel } from '../../local/http-routes';

const models = new Map([
  ['application/json', compileRequestModel({ schema: { type: ['object', 'array'] } }, 'test')],
]);
const event = (body: string) => ({
  headers: { 'content-type': 'application/json' },
  body,
  isBase64Encoded: false,
});

describe('the request validator parses once for the handler', () => {
  it('gives its parse of a body it let through, and none for one it refused or did not check', () => {
    const text = '{"events":[{"type":"x"}]}';
    const v = checkRequestBody(models, 'application/json', Buffer.from(text));
    expect(v).toEqual({ passes: true, parsed: { text, value: JSON.parse(text) } });
    expect(checkRequestBody(models, 'application/json', Buffer.from('"a string"'))).toEqual({
      passes: false,
    });
    expect(checkRequestBody(models, 'application/json', Buffer.from('{'))).toEqual({ passes: false });
    expect(checkRequestBody(models, 'text/plain', Buffer.from('{}'))).toEqual({ passes: true });
    const latin1 = Buffer.from([0x7b, 0xe9, 0x7d]);
    expect(isUtf8(latin1)).toBe(false);
    expect(checkRequestBody(models, undefined, latin1)).toEqual({ passes: false });
  });

  it('parseJsonBody takes the recorded value for the same body text, and parses a changed body itself', () => {
    const text = '{"type":"page_view","data":{"n":1}}';
    const e = event(text);
    const value = JSON.parse(text);
    recordParsedBody(e, text, value);
    expect(recordedParse(e, text)?.value).toBe(value);
    expect(recordedParse(e, text + ' ')).toBeUndefined();
    expect(parseJsonBody(e, 1024)).toBe(value); // the same object: not parsed again
    e.body = '{"type":"page_view","data":{"n":2}}';
    const again = parseJsonBody(e, 1024);
    expect(again).not.toBe(value);
    expect(again).toEqual({ type: 'page_view', data: { n: 2 } });
    // Every check before the parse still applies.
    expect(() => parseJsonBody({ ...event(text), headers: { 'content-type': 'text/plain' } }, 1024)).toThrow(
      /content-type/,
    );
    const other = event(text);
    recordParsedBody(other, text, value);
    expect(() => parseJsonBody(other, 4)).toThrow(/exceeds 4 bytes/);
  });
});
