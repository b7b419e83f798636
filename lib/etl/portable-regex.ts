/**
 * Regular expressions that mean the same in the three engines that test them.
 *
 * A schema's `pattern` is an ECMAScript regular expression: ajv tests it at ingest and in validateUpload's sample
 * check (`new RegExp(pattern, 'u')`, a search). The ETL tests the same rule with `regexp_like`, which is
 * java.util.regex `find()` in Spark (the Glue job) and RE2 in DuckDB (the local runner). The three dialects differ
 * where it matters for validation:
 *  - `$` is the end of the input in ECMAScript and RE2, but in Java it also matches before a final line terminator:
 *    "USD\n" passes `^[A-Z]{3}$` on Glue and fails everywhere else;
 *  - `.` excludes \n, \r, U+2028 and U+2029 in ECMAScript, only \n in RE2, and also U+0085 in Java;
 *  - `\s` is Unicode white space in ECMAScript and two different ASCII sets in RE2 and Java; `\b` differs too;
 *  - lookaround and backreferences do not exist in RE2.
 *
 * portablePattern() parses the ECMAScript pattern (regjsparser, with the `u` flag as ajv compiles it) and writes it
 * in the common subset with the ECMAScript meaning spelled out: `$` becomes `\z`, `.` and `\s` become explicit
 * classes, characters outside printable ASCII become `\x{…}`, groups become non-capturing. What has no common
 * meaning is refused, with the construct named. The result contains backslashes: the Glue job parses SQL string
 * literals with spark.sql.parser.escapedStringLiterals, so a literal reaches Java exactly as it reaches DuckDB.
 */
import { parse, type AstNode as RegexNode, type CharacterClassBody, type Value } from 'regjsparser';

type Features = { unicodePropertyEscape: true; namedGroups: true; lookbehind: true };
type AstNode = RegexNode<Features>;

export class PatternError extends Error {
  override name = 'PatternError';
}

/** ECMAScript's line terminators: what `.` does not match. */
const LINE_TERMINATORS = '\\n\\r\\x{2028}\\x{2029}';
/** ECMAScript's \s: WhiteSpace and LineTerminator (ECMA-262 22.2.2.9, CharacterClassEscape :: s). */
const ES_WHITE_SPACE =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** RE2 refuses a repeat count above this. */
const MAX_REPEAT = 1000;
/**
 * Unicode general categories, spelled the same (`\p{L}`, `\p{Lu}`, …) in ECMAScript, RE2 and Java. Scripts and
 * binary properties are spelled differently in each (\p{Script=Greek}, \p{Greek}, \p{IsGreek}): refused.
 */
const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cs'.split(
    ' ',
  ),
);

/** A code point as both engines read it: printable ASCII as itself (escaped if it means something), else \x{…}. */
function char(cp: number, inClass: boolean): string {
  if (cp >= 0x20 && cp < 0x7f) {
    const c = String.fromCharCode(cp);
    if (/[A-Za-z0-9 _]/.test(c)) return c;
    // Punctuation: a backslash makes any of it literal in RE2 and in Java. In a class, Java gives [ and && their
    // own meaning, so every punctuation character is escaped there too.
    if (inClass || /[\\^$.|?*+()[\]{}/-]/.test(c)) return `\\${c}`;
    return c;
  }
  return `\\x{${cp.toString(16).toUpperCase()}}`;
}

function classItem(node: CharacterClassBody, pattern: string): string {
  switch (node.type) {
    case 'value':
      return char(node.codePoint, true);
    case 'characterClassRange':
      return `${char(node.min.codePoint, true)}-${char(node.max.codePoint, true)}`;
    case 'characterClassEscape':
      switch (node.value) {
        case 'd':
          return '0-9';
        case 'w':
          return 'A-Za-z0-9_';
        case 's':
          return ES_WHITE_SPACE;
        default:
          throw new PatternError(
            `'\\${node.value}' inside a character class in /${pattern}/: write the class it excludes instead ` +
              `(e.g. [^0-9] for \\D)`,
          );
      }
    case 'unicodePropertyEscape':
      return property(node.value, node.negative, pattern);
  }
}

function property(name: string, negative: boolean, pattern: string): string {
  if (!GENERAL_CATEGORIES.has(name)) {
    throw new PatternError(
      `'\\p{${name}}' in /${pattern}/: only Unicode general categories (\\p{L}, \\p{Lu}, \\p{Nd}, …) read the ` +
        'same in the ETL engines (RE2 and Java); scripts and binary properties are spelled differently in each',
    );
  }
  return `\\${negative ? 'P' : 'p'}{${name}}`;
}

function emit(node: AstNode, pattern: string): string {
  switch (node.type) {
    case 'alternative':
      return node.body.map((n) => emit(n, pattern)).join('');
    case 'disjunction':
      return node.body.map((n) => emit(n, pattern)).join('|');
    case 'value':
      return char((node as Value).codePoint, false);
    case 'dot':
      return `[^${LINE_TERMINATORS}]`;
    case 'anchor':
      switch (node.kind) {
        case 'start':
          return '^';
        case 'end':
          // The end of the input: Java's `$` also matches before a final line terminator, `\z` never does.
          return '\\z';
        default:
          throw new PatternError(
            `a word boundary (\\b, \\B) in /${pattern}/: the ETL engines (RE2, Java) define words differently; ` +
              'spell out the characters around it instead',
          );
      }
    case 'characterClassEscape':
      switch (node.value) {
        case 'd':
          return '[0-9]';
        case 'D':
          return '[^0-9]';
        case 'w':
          return '[A-Za-z0-9_]';
        case 'W':
          return '[^A-Za-z0-9_]';
        case 's':
          return `[${ES_WHITE_SPACE}]`;
        case 'S':
          return `[^${ES_WHITE_SPACE}]`;
      }
      break;
    case 'unicodePropertyEscape':
      return property(node.value, node.negative, pattern);
    case 'characterClass': {
      if (node.kind !== 'union') throw new PatternError(`a set operation in a class in /${pattern}/`);
      if (node.body.length === 0) {
        // [] matches nothing, [^] any character.
        return node.negative ? '[\\x{0}-\\x{10FFFF}]' : '[^\\x{0}-\\x{10FFFF}]';
      }
      return `[${node.negative ? '^' : ''}${node.body.map((n) => classItem(n, pattern)).join('')}]`;
    }
    case 'group':
      if (node.behavior !== 'normal' && node.behavior !== 'ignore') {
        throw new PatternError(
          `a ${node.behavior.replace('negativeL', 'negative l')} assertion in /${pattern}/: RE2, the local ETL ` +
            'engine, has no lookaround; ' +
            'express the rule without it (or as two properties)',
        );
      }
      return `(?:${node.body.map((n) => emit(n, pattern)).join('')})`;
    case 'quantifier': {
      const { min, max } = node;
      if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) {
        throw new PatternError(`a repeat count above ${MAX_REPEAT} in /${pattern}/ (RE2's limit)`);
      }
      const body = emit(node.body[0], pattern);
      const q =
        node.symbol ?? (max === undefined ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`);
      return `${body}${q}${node.greedy ? '' : '?'}`;
    }
    case 'reference':
      throw new PatternError(`a backreference in /${pattern}/: RE2, the local ETL engine, has none`);
  }
  throw new PatternError(`an unsupported construct in /${pattern}/`);
}

/**
 * The most characters a value is tested on against a pattern that repeats a group (`(-[a-z0-9]+)*`, the email
 * format's): a longer value is rejected for its length, on both engines, and the pattern is not tested. Java's
 * regular expressions (Spark's regexp_like on Glue) recurse once per repetition of a group, so a long value ends the
 * task with a StackOverflowError, which fails the Glue job, and an event batch's on every run after (measured with
 * Java 17 and its default 1 MiB thread stack: `^(?:(?:(?:(?:a|b)|c)|d)|e)*$` overflows from 567 characters,
 * `^(?:a|b)*$` from 1,685). 254 characters (an email address's most) keeps a margin for patterns nested deeper.
 */
export const REPEATED_GROUP_MAX_CHARS = 254;

/**
 * Whether the ECMAScript pattern may repeat a group more often than a value within REPEATED_GROUP_MAX_CHARS would
 * (unbounded, or a bound whose product along nested repeats is larger: `(?:[0-9a-f]{2}){128}` is within it, tested at
 * any length; `(?:(?:ab){1,100}){1,100}` is not).
 */
export function repeatsGroup(pattern: string): boolean {
  let ast: AstNode;
  try {
    ast = parse(pattern, 'u', { unicodePropertyEscape: true, namedGroups: true, lookbehind: true });
  } catch {
    return false; // portablePattern refuses it
  }
  const single = new Set(['value', 'dot', 'characterClass', 'characterClassEscape', 'unicodePropertyEscape']);
  const walk = (node: AstNode, times: number): boolean => {
    let inner = times;
    if (node.type === 'quantifier' && !single.has(node.body[0].type)) {
      inner = times * (node.max ?? Number.POSITIVE_INFINITY);
      if (inner > REPEATED_GROUP_MAX_CHARS) return true;
    }
    const body = (node as { body?: unknown }).body;
    return (
      Array.isArray(body) && (body as AstNode[]).some((n) => n && typeof n === 'object' && walk(n, inner))
    );
  };
  return walk(ast, 1);
}

/**
 * The ECMAScript pattern `pattern` (as ajv compiles it: the `u` flag) written for regexp_like in both ETL engines,
 * with the same matches (a search, as RegExp.test does). Throws PatternError for what cannot mean the same there.
 */
export function portablePattern(pattern: string): string {
  let ast: AstNode;
  try {
    ast = parse(pattern, 'u', { unicodePropertyEscape: true, namedGroups: true, lookbehind: true });
  } catch (e) {
    throw new PatternError(`/${pattern}/ is not a valid regular expression: ${(e as Error).message}`);
  }
  return emit(ast, pattern);
}
