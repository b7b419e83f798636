/**
 * A column's pattern tests in the ETL plan (its schema's pattern, and the formats tested as patterns), with the
 * length limit that keeps Java's regular expressions on Glue within their stack.
 */
import type { ColumnDef } from '../catalog/tables';
import { REPEATED_GROUP_MAX_CHARS, repeatsGroup } from './portable-regex';

/**
 * The problems of a pattern test of `raw`: not matching it, and, for a pattern that repeats a group, being longer
 * than the characters such a pattern is tested on (REPEATED_GROUP_MAX_CHARS: Java's regular expressions would
 * overflow their stack on Glue). The test itself is then behind the length (a CASE, which both engines evaluate
 * lazily), so that no engine runs it on a longer value; a maxLength within the limit already rejects those.
 */
export function patternProblems(
  c: ColumnDef,
  raw: string,
  patternSql: string,
  source: string,
  mismatch: string,
  named = source,
): [string, string][] {
  const test = `NOT regexp_like(${raw}, ${patternSql})`;
  if (!repeatsGroup(source)) return [[test, mismatch]];
  const longer = `length(${raw}) > ${REPEATED_GROUP_MAX_CHARS}`;
  const problems: [string, string][] = [[`CASE WHEN ${longer} THEN FALSE ELSE ${test} END`, mismatch]];
  if (c.maxLength === undefined || c.maxLength > REPEATED_GROUP_MAX_CHARS)
    problems.unshift([
      longer,
      `longer than the ${REPEATED_GROUP_MAX_CHARS} characters a pattern repeating a group is tested on (${named}: ` +
        "Java's regular expressions on Glue recurse once per repetition and overflow on longer text)",
    ]);
  return problems;
}
