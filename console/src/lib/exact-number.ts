/**
 * JSON numbers as the lake wrote them. The query API writes a `json` cell's numbers with every digit
 * (`{"id": 12345678901234567890}`); JSON.parse reads them through a double (12345678901234567000). The console reads
 * answers with a reviver that keeps the source text of an integer a double does not hold exactly (JSON.parse's
 * source text access, `context.source`): such a number is an ExactNumber, shown and downloaded as written.
 * No DOM here: tests import it.
 */
export class ExactNumber {
  constructor(readonly text: string) {}
  /** The nearest double, for what can only count (a chart). */
  valueOf(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/** JSON.parse's reviver: an integer beyond a double's exact range as an ExactNumber (browsers without source text
 * access keep the double, as before). */
export function keepDigits(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && /^-?[0-9]+$/.test(source) ? new ExactNumber(source) : value;
}

/** JSON text of a value read with keepDigits: an ExactNumber as its digits. */
export function jsonText(value: unknown): string {
  if (value instanceof ExactNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
