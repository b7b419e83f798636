/** One parse of a request body: the local gateway's request validator hands its parse to the handler. */
import { isUtf8 } from 'node:buffer';
import { parseJsonBody } from '../../lib/http';
import { recordParsedBody, recordedParse } from '../../lib/validated-body';
import { checkRequestBody, compileRequestModel } from '../../local/http-routes';
import { eventBody } from '../../local/request-body';

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
    const check = (contentType: string | undefined, bytes: Buffer) =>
      checkRequestBody(models, contentType, eventBody(bytes));
    const v = check('application/json', Buffer.from(text));
    expect(v).toEqual({ passes: true, parsed: { text, value: JSON.parse(text) } });
    expect(check('application/json', Buffer.from('"a string"'))).toEqual({ passes: false });
    expect(check('application/json', Buffer.from('{'))).toEqual({ passes: false });
    expect(check('text/plain', Buffer.from('{}'))).toEqual({ passes: true });
    // An empty body is checked as {} (this model takes it), and handed over as nothing.
    expect(eventBody(Buffer.alloc(0))).toEqual({ body: null, isBase64Encoded: false });
    expect(check('application/json', Buffer.alloc(0))).toEqual({ passes: true });
    const latin1 = Buffer.from([0x7b, 0xe9, 0x7d]);
    expect(isUtf8(latin1)).toBe(false);
    expect(eventBody(latin1)).toEqual({ body: latin1.toString('base64'), isBase64Encoded: true });
    expect(check(undefined, latin1)).toEqual({ passes: false });
  });

  it('parseJsonBody takes the recorded value once, for the same body text, and parses a changed body itself', () => {
    const text = '{"type":"page_view","data":{"n":1}}';
    const e = event(text);
    const value = JSON.parse(text);
    recordParsedBody(e, text, value);
    expect(parseJsonBody(e, 1024)).toBe(value); // the same object: not parsed again
    // Handed over once: the record is gone (the parsed tree lives only as long as the handler holds it).
    expect(recordedParse(e, text)).toBeUndefined();
    const again = parseJsonBody(e, 1024);
    expect(again).not.toBe(value);
    expect(again).toEqual(value);
    recordParsedBody(e, text, value);
    expect(recordedParse(e, text + ' ')).toBeUndefined();
    expect(recordedParse(e, text)).toBeUndefined();
    recordParsedBody(e, text, value);
    e.body = '{"type":"page_view","data":{"n":2}}';
    const changed = parseJsonBody(e, 1024);
    expect(changed).not.toBe(value);
    expect(changed).toEqual({ type: 'page_view', data: { n: 2 } });
    // Every check before the parse still applies.
    expect(() => parseJsonBody({ ...event(text), headers: { 'content-type': 'text/plain' } }, 1024)).toThrow(
      /content-type/,
    );
    const other = event(text);
    recordParsedBody(other, text, value);
    expect(() => parseJsonBody(other, 4)).toThrow(/exceeds 4 bytes/);
  });
});
