/** The query API as a client uses it: start a query, poll until it ends, page through every result. */

export interface QueryClient {
  /** All result rows (arrays, in column order); throws with the reason when the query fails or is refused. */
  rows<T extends unknown[] = unknown[]>(sql: string): Promise<T[]>;
  /** All result rows as objects keyed by column name. */
  objects(sql: string): Promise<Record<string, unknown>[]>;
  /** The first column of the first row, as a number (0 when there is none). */
  count(sql: string): Promise<number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function queryClient(url: () => string, apiKey: string, timeoutMs = 60_000): QueryClient {
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url()}${p}`, {
      method,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const run = async (sql: string) => {
    const started = await call('POST', '/queries', { sql, wait: 20, maxRows: 1000 });
    if (![200, 202].includes(started.status))
      throw new Error(`query refused (${started.status}): ${JSON.stringify(started.body)}`);
    const id = started.body.id as string;
    const deadline = Date.now() + timeoutMs;
    let status = started.body;
    while (status.state !== 'SUCCEEDED') {
      if (status.state === 'FAILED' || status.state === 'CANCELLED')
        throw new Error(`query ${status.state}: ${JSON.stringify(status)}`);
      if (Date.now() > deadline) throw new Error(`query ${id} still ${String(status.state)}`);
      await sleep(200);
      status = (await call('GET', `/queries/${id}`)).body;
    }
    const rows: unknown[][] = [];
    let columns: { name: string }[] = [];
    let token: string | null | undefined;
    do {
      const page = await call(
        'GET',
        `/queries/${id}/results?maxRows=1000${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
      );
      if (page.status !== 200) throw new Error(`results (${page.status}): ${JSON.stringify(page.body)}`);
      columns = page.body.columns as { name: string }[];
      rows.push(...(page.body.rows as unknown[][]));
      token = page.body.nextToken as string | null;
    } while (token);
    return { columns, rows };
  };
  return {
    rows: async <T extends unknown[]>(sql: string) => (await run(sql)).rows as T[],
    objects: async (sql: string) => {
      const { columns, rows } = await run(sql);
      return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])));
    },
    count: async (sql: string) => Number((await run(sql)).rows[0]?.[0] ?? 0),
  };
}
