/** An execution's input in a few words: the file it was for, or the mode and table. No DOM. */
export function describeInput(input: Record<string, unknown> | null | undefined): string {
  if (!input) return '–';
  const s = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  const key = s('key');
  if (key) return s('table') ? `${key} (table ${s('table')})` : key;
  const mode = s('mode');
  if (mode) return s('table') ? `${mode} of ${s('table')}` : mode;
  return JSON.stringify(input).slice(0, 120);
}
