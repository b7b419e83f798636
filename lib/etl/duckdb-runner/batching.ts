/**
 * Batches of bounded size: items in their order, a new batch when the next item would take the current one over
 * `maxBytes` (an item larger than that is a batch of its own).
 */
export function bySize<T extends { bytes: number }>(items: T[], maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.bytes > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
