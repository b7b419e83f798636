/**
 * Macro bodies that take each argument once. DuckDB expands a macro by copying each argument's expression wherever
 * its parameter stands in the body, so a parameter used n times, in calls nested d deep, is copied n^d times, and
 * DuckDB binds and plans every copy: `replace(s, f, r)` names s three times (Trino's empty search), and eight nested
 * replace() calls — ordinary text cleaning — did not finish planning in minutes (seven: 8 s). A body that uses a
 * its first parameter (the value, through which calls nest) more than once takes that argument once, in a struct that
 * a one-element list_transform binds:
 *
 *     list_transform([{'s': s}], lake_replace_3 -> <the body with lake_replace_3.s>)[1]
 *
 * which costs a list and a struct per call (~6 % on 1 M rows of replace) and grows linearly when nested. Only the
 * text functions trino-compat.ts names are so bound: a struct changes how DuckDB types a literal argument (a
 * string literal is no longer one: sequence() over dates), and some functions need constant arguments.
 */

/** A token of a macro body (DuckDB's SQL, which the guard's lexer refuses in places: `//`, `->`). */
interface Token {
  kind: 'word' | 'other';
  text: string;
  start: number;
  end: number;
}

/** Words, strings and quoted names (whole, so that nothing in them is taken for a name), single characters. */
function tokenize(body: string): { tokens: Token[] } {
  const tokens: Token[] = [];
  const pattern = /[0-9][0-9A-Za-z_.]*|[A-Za-z_][A-Za-z0-9_]*|'(?:[^']|'')*'|"(?:[^"]|"")*"|\S/g;
  for (const m of body.matchAll(pattern)) {
    const text = m[0];
    tokens.push({
      // (A number, 1e5 included, is no name.)
      kind: /^[A-Za-z_]/.test(text) ? 'word' : 'other',
      text,
      start: m.index,
      end: m.index + text.length,
    });
  }
  return { tokens };
}

export function bindingArgumentsOnce(macro: string, params: readonly string[], body: string): string {
  // The lambda's parameter: a name no body uses, its own per macro and arity (a body may call another overload, or
  // another bound macro, on its bound value: no lambda shadows another's name).
  const BOUND = `lake_${macro}_${params.length}`;
  const { tokens } = tokenize(body);
  const names = new Set(params.map((p) => p.toLowerCase()));
  const uses = new Map<string, Token[]>();
  tokens.forEach((t, k) => {
    const name = t.kind === 'word' ? t.text.toLowerCase() : undefined;
    if (name === undefined || !names.has(name)) return;
    // Not a field (x.s), a call (s(…)) or a named argument (s := …).
    if (tokens[k - 1]?.text === '.' || tokens[k + 1]?.text === '(' || tokens[k + 1]?.text === ':') return;
    uses.set(name, [...(uses.get(name) ?? []), t]);
  });
  // The first argument only: the value, which nests (replace(replace(x, …), …)); the others are most often literals,
  // and some DuckDB functions need them constant (a string_agg separator, trunc's precision, a JSON path).
  const first = params[0]?.toLowerCase();
  const repeated = [...uses].filter(([name, at]) => name === first && at.length > 1).map(([name]) => name);
  if (repeated.length === 0) return body;
  // A lambda of the body that binds a parameter's name would see the struct's field instead: left as it is.
  if (lambdaParameters(tokens).some((n) => names.has(n) || n === BOUND.toLowerCase())) return body;
  let out = '';
  let at = 0;
  const edits = repeated.flatMap((name) => uses.get(name)!.map((t) => ({ t, name })));
  edits.sort((a, b) => a.t.start - b.t.start);
  for (const { t, name } of edits) {
    out += body.slice(at, t.start) + `${BOUND}.${name}`;
    at = t.end;
  }
  out += body.slice(at);
  const fields = repeated.map((name) => `'${name}': ${name}`).join(', ');
  return `list_transform([{${fields}}], ${BOUND} -> ${out})[1]`;
}

/** The names the body's lambdas bind (`x -> …`, `(e, i) -> …`). */
function lambdaParameters(tokens: Token[]): string[] {
  const out: string[] = [];
  for (let k = 0; k + 1 < tokens.length; k++) {
    if (tokens[k]!.text !== '-' || tokens[k + 1]!.text !== '>' || tokens[k]!.end !== tokens[k + 1]!.start)
      continue;
    const before = tokens[k - 1];
    if (before?.kind === 'word') out.push(before.text.toLowerCase());
    else if (before?.text === ')')
      for (let j = k - 2; j >= 0 && tokens[j]!.text !== '('; j--)
        if (tokens[j]!.kind === 'word') out.push(tokens[j]!.text.toLowerCase());
  }
  return out;
}
