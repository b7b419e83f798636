/**
 * regexp_replace's replacement string, Trino's way (JoniRegexpFunctions.appendReplacement) in DuckDB's (RE2's)
 * rewrite syntax:
 *  - `$n` is group n (several digits: the longest number that is a group of the pattern), `${name}` a named group;
 *  - `\x` is a literal x (`\1` is the character 1, `\$` a dollar, `\\` a backslash);
 *  - a `$` or `\` at the end, `$` before anything else, or an unknown group fails the query, as in Trino.
 * RE2 writes groups as \0-\9 and a literal backslash as \\, so a group above 9 is refused. Java's named groups
 * `(?<name>…)` are RE2's `(?P<name>…)`.
 */
import { LocalDialectError } from './local-error';

/** The pattern's capturing groups in order, with their names (undefined for unnamed groups). */
/** The index of the last character of a `\Q…\E` quote starting at i (the pattern's end when unclosed). */
function quoteEnd(pattern: string, i: number): number {
  const end = pattern.indexOf('\\E', i + 2);
  return end < 0 ? pattern.length - 1 : end + 1;
}

export function patternGroups(pattern: string): (string | undefined)[] {
  const groups: (string | undefined)[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i = pattern[i + 1] === 'Q' ? quoteEnd(pattern, i) : i + 1;
      continue;
    }
    if (c === '[') {
      // A character class: ']' right after '[' or '[^' is a literal.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) if (pattern[j] === '\\') j++;
      i = j;
      continue;
    }
    if (c !== '(') continue;
    if (pattern[i + 1] !== '?') {
      groups.push(undefined);
      continue;
    }
    const named = /^\(\?P?<([A-Za-z][A-Za-z0-9]*)>/.exec(pattern.slice(i));
    if (named) groups.push(named[1]);
  }
  return groups;
}

/**
 * The offsets of the pattern's `$` anchors (outside a character class, not escaped), or none when it sets an inline
 * flag ((?m) …: left as it is). Trino compiles patterns with Joni's Java syntax, where `$` also matches before a
 * final line break ('abc\n' matches 'c$'); RE2's `$` only at the end of the text.
 */
export function endAnchors(pattern: string): number[] {
  if (/\(\?[a-zA-Z-]+[:)]/.test(pattern)) return [];
  const at: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i = pattern[i + 1] === 'Q' ? quoteEnd(pattern, i) : i + 1;
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) if (pattern[j] === '\\') j++;
      i = j;
    } else if (c === '$') at.push(i);
  }
  return at;
}

/** A pattern whose `$` anchors also take a final line break, as Trino's do: for a test of a match only (regexp_like). */
export function withJavaEndAnchors(pattern: string): string {
  let out = pattern;
  for (const i of endAnchors(pattern).reverse()) out = `${out.slice(0, i)}(?:\\n?\\z)${out.slice(i + 1)}`;
  return out;
}

/**
 * Joni's classes in a UTF-8 pattern (Trino compiles with Joni's Java syntax, which sets no ASCII range): `\w` is
 * Unicode's Word as Joni (jcodings CR_Word) has it: Alphabetic, marks, decimal digits, connector punctuation, `\d` a decimal digit of any
 * script, `\s` Unicode's White_Space. RE2's are ASCII only; written out in RE2's Unicode classes (Alphabetic is the
 * letters, the letter numbers and its circled and squared letters, the rest of it being marks).
 */
const WORD =
  '\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}\\x{24B6}-\\x{24E9}\\x{1F130}-\\x{1F149}\\x{1F150}-\\x{1F169}' +
  '\\x{1F170}-\\x{1F189}';
const SPACE = '\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}';
const CLASS_ESCAPES: Record<string, { outside: string; inside?: string }> = {
  d: { outside: '\\p{Nd}', inside: '\\p{Nd}' },
  D: { outside: '\\P{Nd}', inside: '\\P{Nd}' },
  w: { outside: `[${WORD}]`, inside: WORD },
  W: { outside: `[^${WORD}]` },
  s: { outside: `[${SPACE}]`, inside: SPACE },
  S: { outside: `[^${SPACE}]` },
};

/** Characters whose full case folding is several characters (Unicode CaseFolding.txt, status F): ß is ss. */
const MULTI_CHAR_FOLDS =
  /[\u00DF\u0130\u0149\u01F0\u0390\u03B0\u0587\u1E96-\u1E9A\u1E9E\u1F50\u1F52\u1F54\u1F56\u1F80-\u1FAF\u1FB2-\u1FB4\u1FB6\u1FB7\u1FBC\u1FC2-\u1FC4\u1FC6\u1FC7\u1FCC\u1FD2\u1FD3\u1FD6\u1FD7\u1FE2-\u1FE4\u1FE6\u1FE7\u1FF2-\u1FF4\u1FF6\u1FF7\u1FFC\uFB00-\uFB06\uFB13-\uFB17]/u;
/** An inline flag group that turns case-insensitive matching on: (?i), (?iu), (?i:…), (?i-x). */
const CASE_INSENSITIVE = /\(\?[a-zA-Z]*i[a-zA-Z]*(?:-[a-zA-Z]*)?[:)]/;

/**
 * Refuses a case-insensitive pattern that Joni would match with full case folding, where RE2 folds one character to
 * one: a character folding to several (ß, ﬁ, İ, …) in the pattern, or `ss`, which Joni matches to a text's ß (and ß
 * to its SS). Ligatures in the text matched by `fi`, `st`, … are the one difference left (docs/sql-dialect.md).
 */
function refuseFullCaseFolding(pattern: string): void {
  if (!CASE_INSENSITIVE.test(pattern)) return;
  const text = pattern.replace(/\\./gsu, '');
  const folded = MULTI_CHAR_FOLDS.exec(text)?.[0] ?? /ss/i.exec(text)?.[0];
  if (folded === undefined) return;
  throw new LocalDialectError(
    `${folded} in a case-insensitive regular expression`,
    "Athena's (Joni) folds case fully (ß matches SS and ss matches ß), the local engine's (RE2) one character to " +
      'one: match the lower-cased text without (?i) instead, e.g. regexp_like(lower(x), ' +
      "'strasse|straße')",
  );
}

/**
 * A literal pattern in RE2's syntax, meaning what Joni (Java's syntax) makes of it:
 *  - Java named groups (?<name>…) as RE2's (?P<name>…); lookbehinds (?<= (?<! are left for RE2 to refuse;
 *  - `\d \D \w \W \s \S`, in a class too, as the Unicode classes Joni's are (above);
 * and refused, naming the difference:
 *  - a case-insensitive pattern that full case folding would match otherwise (refuseFullCaseFolding);
 *  - `\b \B`: Joni's word boundary is between Unicode word characters, RE2's ASCII only (with no lookaround to
 *    write it otherwise);
 *  - what RE2 would read otherwise inside a character class: a POSIX class ([[:alpha:]]: Joni's covers all of
 *    Unicode, RE2's ASCII only), Java's class union ([a-d[m-p]], where RE2 reads a [ and a class ending early) and
 *    intersection (&&, which RE2 reads as two characters), and `\W \S` in a class beside other items (RE2 cannot
 *    write the complement of a Unicode class inside one; `[\s\S]`, `[\w\W]` and `[\d\D]` are any character);
 * Java's `\uHHHH` is RE2's `\x{HHHH}`. `\Q…\E` is copied as it is (both read it as literal text).
 */
/** [\s\S], [\w\W], [\d\D] (either order): any character, however each half reads. */
const ANY_CHARACTER = /^\[(?:\\s\\S|\\S\\s|\\w\\W|\\W\\w|\\d\\D|\\D\\d)\]/;

export function re2Pattern(pattern: string): string {
  refuseFullCaseFolding(pattern);
  let out = '';
  // depth: of character classes ([ opens one inside another in Java's syntax); a ] first in a class is literal.
  for (let i = 0, depth = 0, opened = -1; i < pattern.length; i++) {
    const c = pattern[i]!;
    const literalClose = i === opened + 1 || (i === opened + 2 && pattern[opened + 1] === '^');
    if (c === '[' && depth === 0) {
      // [\s\S], [\w\W], [\d\D]: any character, however each half reads.
      const any = ANY_CHARACTER.exec(pattern.slice(i, i + 6));
      if (any) {
        out += '[\\x{0}-\\x{10FFFF}]';
        i += any[0].length - 1;
        continue;
      }
    }
    if (c === '(' && depth === 0 && /^\(\?<[A-Za-z]/.test(pattern.slice(i, i + 4))) {
      // A Java named group, RE2's (?P<name>…) (lookbehinds, (?<= and (?<!, are left for RE2 to refuse).
      out += '(?P<';
      i += 2;
      continue;
    }
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(pattern.slice(i + 2, i + 6))) {
        // Java's \uHHHH (Joni's Java syntax has it), RE2's \x{HHHH}.
        out += `\\x{${pattern.slice(i + 2, i + 6)}}`;
        i += 5;
        continue;
      }
      if (next === 'Q') {
        const last = quoteEnd(pattern, i);
        out += pattern.slice(i, last + 1);
        i = last;
        continue;
      }
      const escape = CLASS_ESCAPES[next];
      if (escape && depth > 0 && escape.inside === undefined)
        throw new LocalDialectError(
          `\\${next} inside a character class of a regular expression`,
          `Athena (Joni) takes every character but a Unicode ${next === 'W' ? 'word character' : 'space'} there; the ` +
            `local engine (RE2) cannot write that inside a class: write the class without it, or use ` +
            `(?:\\${next}|[…]) instead`,
        );
      if (escape) out += depth > 0 ? escape.inside : escape.outside;
      else if ((next === 'b' || next === 'B') && depth === 0)
        throw new LocalDialectError(
          `\\${next} (a word boundary) in a regular expression`,
          "Athena's (Joni) takes Unicode letters and digits as word characters (é, ١), the local engine's (RE2) " +
            'ASCII only, and RE2 has no lookaround to write it otherwise: match the neighbouring character instead, ' +
            'e.g. (^|\\W)word(\\W|$)',
        );
      else out += c + next;
      i++;
      continue;
    }
    if (c === '[' && depth > 0 && pattern[i + 1] === ':')
      throw new LocalDialectError(
        `the POSIX class ${/^\[:\w*:\]/.exec(pattern.slice(i))?.[0] ?? '[:…:]'} in a regular expression`,
        "Athena's (Joni) covers all of Unicode (é is [[:alpha:]]), the local engine's (RE2) ASCII only: write a " +
          'Unicode class such as \\p{L} (letters), \\p{N} (digits), \\p{Lu} (capitals)',
      );
    if (c === '[' && depth > 0)
      throw new LocalDialectError(
        'a [ inside a character class of a regular expression',
        "Athena (Joni, Java's syntax) opens a class inside the class there (a union: [a-d[m-p]] is [a-dm-p]), the " +
          'local engine (RE2) reads a [ and ends the class at the first ]: write the class out, or escape the [ as \\[',
      );
    if (c === '[') {
      depth++;
      opened = i;
    } else if (c === ']' && depth > 0 && !literalClose) depth--;
    else if (c === '&' && depth > 0 && pattern[i + 1] === '&')
      throw new LocalDialectError(
        'a character class intersection (&&) in a regular expression',
        "Athena (Joni, Java's syntax) intersects the classes, the local engine (RE2) reads the characters: write " +
          'the class out ([a-c&&[b]] is [b])',
      );
    out += c;
  }
  return out;
}

const illegal = (replacement: string, detail = '') =>
  new Error(`Illegal replacement sequence: ${detail || replacement}`);

/**
 * The RE2 rewrite string for a Trino replacement. `groups` are the pattern's groups when the pattern is a literal
 * (undefined when it is not: a group number then takes one digit, and `${name}` is refused).
 */
export function re2Replacement(replacement: string, groups: (string | undefined)[] | undefined): string {
  let out = '';
  const bytes = [...replacement];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === '\\') {
      if (i + 1 >= bytes.length) throw illegal(replacement);
      const next = bytes[++i]!;
      out += next === '\\' ? '\\\\' : next;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (i + 1 >= bytes.length) throw illegal(replacement);
    const next = bytes[++i]!;
    let group: number;
    if (next === '{') {
      const close = replacement.indexOf('}', i);
      const name = bytes.slice(i + 1, close < 0 ? bytes.length : close - 0).join('');
      if (!groups) {
        throw new LocalDialectError(
          'regexp_replace with ${name} in the replacement',
          'the pattern must be a string literal locally (to find the group)',
        );
      }
      const index = groups.indexOf(name);
      if (close < 0 || index < 0) throw illegal(replacement, `unknown group { ${name} }`);
      group = index + 1;
      i = close;
    } else {
      if (!/[0-9]/.test(next)) throw illegal(replacement);
      group = Number(next);
      if (groups && group > groups.length) throw illegal(replacement, `unknown group ${group}`);
      // Adaptive: the longest number that is still a group of the pattern.
      while (i + 1 < bytes.length && /[0-9]/.test(bytes[i + 1]!)) {
        if (!groups) {
          throw new LocalDialectError(
            `regexp_replace with $${next}${bytes[i + 1]} in the replacement`,
            'Trino reads the longest group number the pattern has; the pattern must be a string literal locally',
          );
        }
        const longer = group * 10 + Number(bytes[i + 1]);
        if (longer > groups.length) break;
        group = longer;
        i++;
      }
    }
    if (group > 9) {
      throw new LocalDialectError(
        `regexp_replace with group $${group} in the replacement`,
        'DuckDB (RE2) refers to groups 0-9 only',
      );
    }
    out += `\\${group}`;
  }
  return out;
}
