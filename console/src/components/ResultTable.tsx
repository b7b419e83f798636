/** A page of query results: each column with its type, NULLs marked, numbers aligned right. */
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

export function ResultTable({ columns, rows, firstRow = 1, caption, testId }: ResultTableProps) {
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
              {row.map((cell, i) => (
                <td
                  key={i}
                  class={`${cell === null ? 'null' : ''} ${isNumericType(columns[i]?.type ?? '') ? 'num' : ''}`}
                >
                  {cellText(cell)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
