/**
 * A CSV input whose lines end in more than one way (LF, CRLF, CR, outside quoted fields): DuckDB's reader detects
 * one kind per file and fails the whole file on another ("The CSV Parser state machine reached an invalid state"),
 * so the run says which line, as the upload check does in its sample (lib/uploads/csv.ts).
 */
import { type LineEnd, LineEnds } from '../../../uploads/csv';
import { inputStream } from './input-stream';
import type { InputFile } from './types';

/** Why the input cannot be read for its mixed line ends (LineEnds), or undefined when they are alike. */
export async function mixedLineEnds(input: InputFile): Promise<string | undefined> {
  let quoted = false;
  let line = 1;
  let pendingCR = false;
  let crOutside = false;
  const ends = new LineEnds();
  let found: string | undefined;
  const ended = (kind: LineEnd, outside: boolean) => {
    line++;
    if (outside) found = ends.ended(kind, line - 1);
  };
  const stream = inputStream(input.file, input.gz);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length && found === undefined; i++) {
        const b = chunk[i]!;
        if (pendingCR) {
          pendingCR = false;
          if (b === 0x0a) {
            ended('CRLF', crOutside);
            continue;
          }
          ended('CR', crOutside);
          if (found !== undefined) break;
        }
        if (b === 0x22) quoted = !quoted;
        else if (b === 0x0d) {
          pendingCR = true;
          crOutside = !quoted;
        } else if (b === 0x0a) ended('LF', !quoted);
      }
      if (found !== undefined) return found;
    }
  } finally {
    stream.destroy();
  }
  if (pendingCR) ended('CR', crOutside);
  return found;
}
