/**
 * A page of query results: each column with its type, NULLs marked, numbers aligned right; a long value is cut at
 * the cell's width (a value of several lines at its first line) and opens in full with its button.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Cell, ResultColumn } from '../lib/api-types';
import { isNumericType } from '../lib/chart-choice';
import { cellText } from '../lib/format';

export interface ResultTableProps {
  columns: ResultColumn[];
  rows: Cell[][];
  /** Row number of the first row (1-based). */
  firstRow?: number;
  caption?: string;
  testId?: string;
}

/**
 * Cells longer than this many characters can be opened in full. The table cuts a cell at 32rem: 30 characters of the
 * widest glyphs (CJK, W, emoji: about 1em each) fit in it, where 58 W's were cut with no way to see the rest.
 */
const LONG_CELL = 30;

export function ResultTable({ columns, rows, firstRow = 1, caption, testId }: ResultTableProps) {
  // The cells opened in full ("row:column"); another page or result closes them.
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setOpen(new Set()), [rows]);
  const toggle = (id: string) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption ?? 'query results'}>
      <table class="results" data-testid={testId ?? 'results'}>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            <th scope="col" class="rownum">
              #
            </th>
            {columns.map((c) => (
              <th scope="col" key={c.name}>
                <span class="col-name">{c.name}</span>
                <span class="col-type">{c.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              <td class="rownum">{firstRow + r}</td>
              {row.map((cell, i) => {
                const text = cellText(cell, columns[i]?.type);
                const id = `${r}:${i}`;
                // A value of several lines is cut too, at its first line (white-space: pre kept them all: one
                // cell of 300 lines made its row thousands of pixels tall).
                const lineEnd = text.indexOf('\n');
                const long = text.length > LONG_CELL || lineEnd >= 0;
                const expanded = long && open.has(id);
                return (
                  <td
                    key={i}
                    class={`${cell === null ? 'null' : ''} ${isNumericType(columns[i]?.type ?? '') ? 'num' : ''} ${expanded ? 'expanded' : ''}`}
                    title={long && !expanded ? text : undefined}
                  >
                    {long ? (
                      <button
                        type="button"
                        class="cell-toggle"
                        aria-expanded={expanded}
                        aria-label={`${expanded ? 'shorten' : 'show all of'} ${columns[i]?.name ?? 'the value'} (${text.length} characters)`}
                        onClick={() => toggle(id)}
                      >
                        {expanded ? 'less' : 'all'}
                      </button>
                    ) : null}
                    {expanded || lineEnd < 0 ? text : `${text.slice(0, lineEnd)} …`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
