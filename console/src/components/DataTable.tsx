/**
 * A table in a region of its own that scrolls sideways (a narrow window) and is reachable by keyboard, with one
 * header row: the console's lists and details all show their rows this way.
 */
import type { ComponentChildren } from 'preact';

export interface Column {
  label: string;
  /** A number column: right-aligned. */
  num?: boolean;
}

export function DataTable(props: {
  /** The region's accessible name. */
  label: string;
  columns: Column[];
  children: ComponentChildren;
  caption?: string;
  testId?: string;
  tableClass?: string;
}) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      <table data-testid={props.testId} class={props.tableClass}>
        {props.caption ? <caption>{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.label} scope="col" class={c.num ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
