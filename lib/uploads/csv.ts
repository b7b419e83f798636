/**
 * A small push parser for CSV (RFC 4180): comma-separated, '"'-quoted fields with '""' for a quote inside, records
 * ended by LF, CRLF or CR (line breaks inside quoted fields are data). Text is pushed in pieces of any size; each
 * complete record is handed over with the line it starts on. Empty lines are skipped.
 *
 * Strict where readers disagree: anything but a delimiter or line break after a closing quote, or a line that ends
 * otherwise than the lines before it (LF, CRLF, CR: DuckDB's reader takes one kind per file and fails the whole file
 * on another), or white space before an opening quote (DuckDB takes the field as quoted, Spark as written), is a
 * syntax error (CsvSyntaxError, with line and column). A quote inside an unquoted field's text is a character of it,
 * as both ETL readers read it.
 */

export type LineEnd = 'LF' | 'CRLF' | 'CR';

/** The line ends of one CSV file, outside quoted fields, as they come: all must be of the first one's kind. */
export class LineEnds {
  private first: { kind: LineEnd; line: number } | undefined;

  /** Why the file is refused when line `line` ends in `kind`, or undefined while its lines end alike. */
  ended(kind: LineEnd, line: number): string | undefined {
    if (!this.first) this.first = { kind, line };
    else if (this.first.kind !== kind)
      return (
        `line ${line} ends in ${kind} where line ${this.first.line} ends in ${this.first.kind}: the lines of a ` +
        'CSV file must all end alike (the lake reads one kind of line end per file); write the file again with one kind'
      );
    return undefined;
  }

  /** The kind of the file's first line end, once a line has ended. */
  get kind(): LineEnd | undefined {
    return this.first?.kind;
  }
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Return false to stop: the parser then ignores the rest of the input. */
export type CsvRecordHandler = (fields: string[], line: number) => boolean | void;

const enum State {
  RecordStart,
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvParser {
  private state = State.RecordStart;
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private column = 0;
  private recordLine = 1;
  private quoteLine = 0;
  private quoteColumn = 0;
  private afterCR = false;
  /** The CR afterCR follows ended a line outside a quoted field. */
  private crEndsLine = false;
  private readonly lineEnds = new LineEnds();
  private stopped = false;
  /** Records handed over. */
  records = 0;

  constructor(
    private readonly onRecord: CsvRecordHandler,
    private readonly delimiter = ',',
  ) {}

  get done(): boolean {
    return this.stopped;
  }

  /** The file's line end (its first line's), once a line has ended outside a quoted field. */
  get lineEnd(): LineEnd | undefined {
    return this.lineEnds.kind;
  }

  push(text: string): void {
    const d = this.delimiter;
    for (let i = 0; i < text.length && !this.stopped; i++) {
      const c = text[i]!;
      if (this.afterCR) {
        this.afterCR = false;
        if (c === '\n') {
          // CRLF: the CR already ended the line (inside quotes both are data).
          if (this.crEndsLine) this.lineEnded('CRLF');
          if (this.state === State.Quoted) this.field += '\n';
          continue;
        }
        if (this.crEndsLine) this.lineEnded('CR');
      }
      this.column++;
      switch (this.state) {
        case State.RecordStart:
          if (c === '\n' || c === '\r') {
            this.newline(c);
            continue; // empty line
          }
          this.recordLine = this.line;
          this.state = State.FieldStart;
          // Read this character again as the start of the first field.
          i--;
          this.column--;
          break;
        case State.FieldStart:
          if (c === '"') {
            this.state = State.Quoted;
            this.quoteLine = this.line;
            this.quoteColumn = this.column;
          } else if (c === d) {
            this.fields.push('');
          } else if (c === '\n' || c === '\r') {
            this.fields.push('');
            this.endRecord();
            this.newline(c);
          } else {
            this.field = c;
            this.state = State.Unquoted;
          }
          break;
        case State.Unquoted: {
          // Fast path: copy up to the next special character.
          let j = i;
          while (j < text.length) {
            const x = text[j]!;
            if (x === d || x === '\n' || x === '\r' || x === '"') break;
            j++;
          }
          if (j > i) {
            this.field += text.slice(i, j);
            this.column += j - i - 1;
            i = j - 1;
            break;
          }
          if (c === d) {
            this.endField();
            this.state = State.FieldStart;
          } else if (c === '\n' || c === '\r') {
            this.endField();
            this.endRecord();
            this.newline(c);
          } else if (/^[ \t]*$/.test(this.field)) {
            // White space before an opening quote: DuckDB's reader takes the field as quoted, Spark's as written.
            throw new CsvSyntaxError(
              'white space before an opening quote (one ETL reader takes the field as quoted, the other as ' +
                'written): remove the white space, or quote the whole field and double the quote',
              this.line,
              this.column,
            );
          } else {
            // A quote inside an unquoted field is a character of it, as both ETL readers take it (DuckDB's read_csv,
            // Spark's univocity): `12" pipe` is that text.
            this.field += c;
          }
          break;
        }
        case State.Quoted: {
          let j = i;
          while (j < text.length && text[j] !== '"' && text[j] !== '\n' && text[j] !== '\r') j++;
          if (j > i) {
            this.field += text.slice(i, j);
            this.column += j - i - 1;
            i = j - 1;
            break;
          }
          if (c === '"') this.state = State.QuoteInQuoted;
          else {
            this.field += c;
            this.newline(c, false); // a line break inside a quoted field
          }
          break;
        }
        case State.QuoteInQuoted:
          if (c === '"') {
            this.field += '"';
            this.state = State.Quoted;
          } else if (c === d) {
            this.endField();
            this.state = State.FieldStart;
          } else if (c === '\n' || c === '\r') {
            this.endField();
            this.endRecord();
            this.newline(c);
          } else {
            throw new CsvSyntaxError(
              `unexpected character ${JSON.stringify(c)} after a closing quote (expected '${d}' or a line break)`,
              this.line,
              this.column,
            );
          }
          break;
      }
    }
  }

  /** The input is complete: hands over a last record without a line break; throws on an open quote. */
  end(): void {
    if (this.stopped) return;
    if (this.afterCR && this.crEndsLine) this.lineEnded('CR');
    switch (this.state) {
      case State.RecordStart:
        return;
      case State.Quoted:
        throw new CsvSyntaxError(
          'a quoted field is not closed before the end of the file',
          this.quoteLine,
          this.quoteColumn,
        );
      case State.FieldStart:
        this.fields.push('');
        break;
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.endField();
        break;
    }
    this.endRecord();
  }

  /** The field being read is complete. */
  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
  }

  /** A line break (outside a quoted field unless `outside` is false): a CR's kind is told by what follows it. */
  private newline(c: string, outside = true): void {
    this.line++;
    this.column = 0;
    if (c === '\r') {
      this.afterCR = true;
      this.crEndsLine = outside;
    } else if (outside) this.lineEnded('LF');
  }

  /** The line before the current one ended in `kind` outside a quoted field: as the first such line did, or refused. */
  private lineEnded(kind: LineEnd): void {
    const refusal = this.lineEnds.ended(kind, this.line - 1);
    if (refusal) throw new CsvSyntaxError(refusal, this.line - 1, 0);
  }

  private endRecord(): void {
    const fields = this.fields;
    this.fields = [];
    this.state = State.RecordStart;
    this.records++;
    if (this.onRecord(fields, this.recordLine) === false) this.stopped = true;
  }
}
