/**
 * Athena's StatementType / SubstatementType of a statement, by its first keyword, and whether its results start
 * with a header row: on Athena a DML statement's (SELECT, WITH, VALUES, TABLE, EXPLAIN) first page starts with the
 * column names, a UTILITY statement's (SHOW …, DESCRIBE) with the first data row — SHOW FUNCTIONS excepted.
 */
import { tokenize } from '../../lib/query/sql-guard';

export interface StatementKind {
  statementType: 'DML' | 'UTILITY' | 'DDL';
  substatementType: string;
  /** The first page of results starts with the column names. */
  header: boolean;
}

const SHOW: Record<string, string> = {
  tables: 'SHOW_TABLES',
  columns: 'SHOW_COLUMNS',
  partitions: 'SHOW_PARTITIONS',
  databases: 'SHOW_DATABASES',
  schemas: 'SHOW_DATABASES',
  views: 'SHOW_VIEWS',
  tblproperties: 'SHOW_TBLPROPERTIES',
  functions: 'SHOW_FUNCTIONS',
};

export function statementKind(sql: string): StatementKind {
  let words: string[];
  try {
    words = tokenize(sql, { backquotes: true })
      .tokens.filter((t) => t.text !== '(')
      .slice(0, 3)
      .map((t) => t.text.toLowerCase());
  } catch {
    words = [];
  }
  const [first = '', second = '', third = ''] = words;
  if (first === 'explain') return { statementType: 'DML', substatementType: 'EXPLAIN', header: true };
  if (first === 'describe' || first === 'desc')
    return { statementType: 'UTILITY', substatementType: 'DESCRIBE_TABLE', header: false };
  if (first === 'show') {
    const sub =
      second === 'create' ? (third === 'view' ? 'SHOW_CREATE_VIEW' : 'SHOW_CREATE_TABLE') : SHOW[second];
    return {
      statementType: 'UTILITY',
      substatementType: sub ?? `SHOW_${second.toUpperCase()}`,
      header: sub === 'SHOW_FUNCTIONS',
    };
  }
  return { statementType: 'DML', substatementType: 'SELECT', header: true };
}
