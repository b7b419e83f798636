/**
 * The order in which a java.util.HashMap lists its entries: Athena renders a map value as Trino's
 * MapType.getObjectValue makes it — a HashMap filled with the map's entries in order, printed by its toString
 * ({k=v, …}) — so `map(ARRAY['b', 'a'], ARRAY[1, 2])` is `{a=2, b=1}` there, whatever the order they were written in.
 * The table starts at 16 buckets and doubles past 3/4 full (or when a bucket reaches 9 entries below 64 buckets); a
 * key's bucket is its hashCode, spread (h ^ h >>> 16), modulo the size; a bucket lists its entries in insertion
 * order. Key hash codes as Java's for the objects Trino makes of a key: String (varchar), Long (bigint), Integer,
 * Short, Byte, Boolean, Double and Float. Keys of another type, or a bucket of 9 or more entries at 64 buckets and
 * above (a tree, in Java), keep the order they have.
 */

/** Java's String.hashCode, over UTF-16 code units as JavaScript strings hold them. */
function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java's Long.hashCode: the 64 bits' halves XORed. */
const longHash = (v: bigint): number => {
  const bits = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, bits ^ (bits >> 32n)));
};

/** Java's Double.hashCode (doubleToLongBits: one NaN) and Float.hashCode (floatToIntBits). */
function doubleHash(d: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number.isNaN(d) ? NaN : d);
  return longHash(view.getBigInt64(0));
}
function floatHash(f: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, Number.isNaN(f) ? NaN : f);
  return view.getInt32(0);
}

/** The hashCode of the Java object Trino makes of a key of this type written as `text`, or undefined. */
export function javaKeyHash(text: string, keyType: string): number | undefined {
  switch (keyType) {
    case 'varchar':
    case 'char':
      return stringHash(text);
    case 'bigint':
      return /^-?[0-9]+$/.test(text) ? longHash(BigInt(text)) : undefined;
    case 'integer':
    case 'smallint':
    case 'tinyint':
      return /^-?[0-9]+$/.test(text) ? Number(text) | 0 : undefined;
    case 'boolean':
      return text === 'true' ? 1231 : text === 'false' ? 1237 : undefined;
    case 'double':
      return Number.isNaN(Number(text)) && text !== 'NaN' ? undefined : doubleHash(Number(text));
    case 'real':
      return Number.isNaN(Number(text)) && text !== 'NaN' ? undefined : floatHash(Number(text));
    default:
      return undefined;
  }
}

/**
 * `entries` (keys written as text, in the map's order) in the order a HashMap filled with them lists them; as they
 * are when a key's hash code is not known.
 */
export function javaHashMapOrder<V>(entries: [string, V][], keyType: string): [string, V][] {
  const hashes = entries.map(([k]) => javaKeyHash(k, keyType));
  if (hashes.some((h) => h === undefined)) return entries;
  let size = 16;
  let bins: number[][] = [];
  const spread = (h: number) => h ^ (h >>> 16);
  const place = (order: number[]) => {
    bins = Array.from({ length: size }, () => []);
    for (const i of order) bins[spread(hashes[i]!) & (size - 1)]!.push(i);
  };
  const listed = () => bins.flat();
  place([]);
  for (let i = 0; i < entries.length; i++) {
    const bin = bins[spread(hashes[i]!) & (size - 1)]!;
    bin.push(i);
    // putVal: a bucket reaching 9 entries is made a tree, or the table doubled while it has fewer than 64 buckets.
    const treeify = bin.length >= 9;
    if (treeify && size >= 64) return entries;
    if (treeify || i + 1 > size * 0.75) {
      size *= 2;
      place(listed());
    }
  }
  return listed().map((i) => entries[i]!);
}
