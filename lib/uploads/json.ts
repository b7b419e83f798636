/**
 * Push parsers for the JSON upload formats. Text arrives in pieces of any size; each complete value is handed
 * over with the line it starts on, and parsing can stop early (return false).
 *
 *  - JSON lines (.jsonl): one value per line; blank lines are skipped.
 *  - JSON (.json): one array of objects (`[{...}, {...}]`), one object (pretty-printed or not), or objects one per
 *    line (JSON lines). Objects one after another across lines (pretty-printed objects in a row) are refused: the
 *    ETL's engines read such a file differently (Spark's multi-line JSON reader takes only the first object, and
 *    both ETL runners take a file whose first line is an object for JSON lines, lib/etl/duckdb-runner/readers/json.ts
 *    and the Glue job's json_layout).
 *
 * Syntax errors are JsonSyntaxError with the line and, where the engine reports it, the column.
 */
import { parseJsonKeepingNumberForms } from '../exact-json';

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** A value read, its line, and whether it is an element of the document's array (one level inside it). */
export type JsonValueHandler = (value: unknown, line: number, inArray?: boolean) => boolean | void;

/** Line and column (1-based) of `position` in `text`, which starts at `line`. */
function locate(text: string, position: number, line: number): { line: number; column: number } {
  let l = line;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text[i] === '\n') {
      l++;
      lineStart = i + 1;
    }
  }
  return { line: l, column: position - lineStart + 1 };
}

/** JSON.parse with the error turned into a JsonSyntaxError located in the file. */
function parseAt(text: string, line: number): unknown {
  try {
    // Numbers as written: a 19-digit integer is checked as it is, 1.0 as no integer (lib/exact-json.ts).
    return parseJsonKeepingNumberForms(text);
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    if (m) {
      const at = locate(text, Number(m[1]), line);
      throw new JsonSyntaxError(`invalid JSON: ${message}`, at.line, at.column);
    }
    throw new JsonSyntaxError(`invalid JSON: ${message}`, line);
  }
}

/** Where the next line end (CR or LF) is in `text` from `start`, or -1. */
function lineEndAt(text: string, start: number): number {
  const lf = text.indexOf('\n', start);
  const cr = text.indexOf('\r', start);
  return cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
}

export class JsonLinesParser {
  private partial = '';
  /** The last piece ended in a CR: its line ends there, with the next piece's LF if one opens it. */
  private crPending = false;
  private line = 1;
  private stopped = false;

  constructor(private readonly onValue: JsonValueHandler) {}

  get done(): boolean {
    return this.stopped;
  }

  /**
   * A line ends at LF, CR LF or a CR alone, as Glue's line reader (Hadoop's LineReader) and the local runner end it
   * (README: a CR alone inside a JSON line ends the line on both runtimes). A CR last in a piece waits for the next
   * piece: a LF first there makes the two one line end.
   */
  push(text: string): void {
    let start = 0;
    if (this.crPending && text.length > 0) {
      // The line held back ends at its CR; a LF opening this piece is part of that line end.
      if (text[0] === '\n') start = 1;
      this.endLine();
    }
    while (!this.stopped) {
      const at = lineEndAt(text, start);
      if (at < 0) break;
      if (text[at] === '\r' && at === text.length - 1) {
        // Its LF, if any, is in the next piece.
        this.partial += text.slice(start, at);
        this.crPending = true;
        return;
      }
      const line = this.partial + text.slice(start, at);
      this.partial = '';
      start = at + (text[at] === '\r' && text[at + 1] === '\n' ? 2 : 1);
      this.handle(line);
      this.line++;
    }
    if (!this.stopped) this.partial += text.slice(start);
  }

  /** The input is complete: a last line without a line break is a line too. */
  end(): void {
    if (this.crPending) this.endLine();
    if (this.stopped || this.partial === '') return;
    const line = this.partial;
    this.partial = '';
    this.handle(line);
  }

  /** The line held back for a CR last in a piece ends. */
  private endLine(): void {
    this.crPending = false;
    const line = this.partial;
    this.partial = '';
    if (this.stopped) return;
    this.handle(line);
    this.line++;
  }

  private handle(raw: string): void {
    // A byte order mark at a line's start (files joined together) is skipped, as Spark's JSON reader skips it.
    const text = raw.replace(/^\uFEFF/, '');
    // Blank: JSON's white space only (Spark's reader, Jackson, takes a line of it for none); NBSP, U+3000 or a form
    // feed is no JSON, a malformed record there.
    if (JSON_BLANK.test(text)) return;
    if (this.onValue(parseAt(text, this.line), this.line) === false) this.stopped = true;
  }
}

/** A line of JSON's white space (space, tab, CR, LF) only. */
export const JSON_BLANK = /^[ \t\r\n]*$/;

const enum Mode {
  Detect,
  Array,
  Sequence,
  AfterArray,
}
const enum Expect {
  ElementOrEnd,
  Element,
  CommaOrEnd,
}

const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t';

/**
 * A .json file: an array of objects, one object, or objects one per line. Values are cut out by a scanner that follows
 * strings and nesting, then parsed with JSON.parse (so each value is held once, never the whole file). Only
 * objects are accepted as values (rows); anything else is a syntax error here.
 */
export class JsonDocumentParser {
  private mode = Mode.Detect;
  private expect = Expect.ElementOrEnd;
  private inValue = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private value = '';
  private valueLine = 0;
  private line = 1;
  private column = 0;
  private elements = 0;
  private stopped = false;
  /** Objects one after another (Mode.Sequence): the first one's line count and line, the last one's end line. */
  private firstValueLines = 0;
  private sequenceStartLine = 0;
  private lastValueEndLine = 0;

  constructor(private readonly onValue: JsonValueHandler) {}

  get done(): boolean {
    return this.stopped;
  }

  push(text: string): void {
    let pieceStart = 0;
    for (let i = 0; i < text.length && !this.stopped; i++) {
      const c = text[i]!;
      if (c === '\n') {
        this.line++;
        this.column = 0;
      } else this.column++;
      if (this.inValue) {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === '\\') this.escape = true;
          else if (c === '"') this.inString = false;
        } else if (c === '"') this.inString = true;
        else if (c === '{' || c === '[') this.depth++;
        else if (c === '}' || c === ']') {
          this.depth--;
          if (this.depth === 0) {
            if (this.mode === Mode.Sequence) this.endSequenceValue();
            const valueText = this.value + text.slice(pieceStart, i + 1);
            this.value = '';
            this.inValue = false;
            this.elements++;
            if (this.mode === Mode.Array) this.expect = Expect.CommaOrEnd;
            if (
              this.onValue(parseAt(valueText, this.valueLine), this.valueLine, this.mode === Mode.Array) ===
              false
            )
              this.stopped = true;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      switch (this.mode) {
        case Mode.Detect:
          if (c === '[') this.mode = Mode.Array;
          else if (c === '{') {
            this.mode = Mode.Sequence;
            pieceStart = this.startValue(i);
          } else this.fail('a JSON upload holds an array of objects, one object, or objects one per line');
          break;
        case Mode.Array:
          if (this.expect === Expect.CommaOrEnd) {
            if (c === ',') this.expect = Expect.Element;
            else if (c === ']') this.mode = Mode.AfterArray;
            else this.fail(`expected ',' or ']' after element ${this.elements}`);
          } else if (c === '{') pieceStart = this.startValue(i);
          else if (c === ']' && this.expect === Expect.ElementOrEnd) this.mode = Mode.AfterArray;
          else this.fail(`element ${this.elements + 1} of the array is not a JSON object`);
          break;
        case Mode.Sequence:
          if (c !== '{') this.fail('expected the next JSON object');
          // A second object: the file is JSON lines, so every object takes one line of its own.
          if (this.firstValueLines > 1) this.failSequence(this.sequenceStartLine);
          if (this.line === this.lastValueEndLine) this.failSequence(this.line);
          pieceStart = this.startValue(i);
          break;
        case Mode.AfterArray:
          this.fail("unexpected content after the array's closing ']'");
      }
    }
    if (this.inValue && !this.stopped) this.value += text.slice(pieceStart);
  }

  /** The input is complete: an unfinished value or array is a syntax error. */
  end(): void {
    if (this.stopped) return;
    if (this.inValue) throw new JsonSyntaxError('the file ends inside a JSON object', this.valueLine);
    if (this.mode === Mode.Array)
      throw new JsonSyntaxError("the file ends before the array's closing ']'", this.line);
  }

  private startValue(i: number): number {
    this.inValue = true;
    this.depth = 1;
    this.inString = false;
    this.escape = false;
    this.value = '';
    this.valueLine = this.line;
    return i;
  }

  /** A value of a sequence ended here: a second one or later must have stayed on its line. */
  private endSequenceValue(): void {
    if (this.elements === 0) {
      this.firstValueLines = this.line - this.valueLine + 1;
      this.sequenceStartLine = this.valueLine;
    } else if (this.line !== this.valueLine) this.failSequence(this.valueLine);
    this.lastValueEndLine = this.line;
  }

  private failSequence(line: number): never {
    throw new JsonSyntaxError(
      'objects one after another must each take one line of their own (JSON lines); an object over several lines ' +
        'must be the only one in the file, or the objects an array ([{...}, {...}]): the ETL reads the file as ' +
        'JSON lines when its first line is an object, and as one JSON value otherwise',
      line,
    );
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.line, this.column);
  }
}
