/**
 * A construct the local engine cannot answer as Athena does: the query FAILS with this reason (naming the construct
 * and the difference) instead of returning another answer. The guard still accepts such statements, since Athena
 * runs them; only the local engine refuses them.
 */
export class LocalDialectError extends Error {
  constructor(construct: string, difference: string) {
    super(`not supported by the local engine: ${construct}: ${difference}`);
    this.name = 'LocalDialectError';
  }
}
