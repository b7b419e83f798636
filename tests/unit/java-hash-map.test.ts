/**
 * The order a java.util.HashMap lists its entries in (local/athena/java-hash-map.ts), against what Java 17 printed
 * for `new HashMap<>()` filled with the same keys in the same order (String, Long, Integer, Double and Boolean keys;
 * the table doubling past 3/4 full and for a bucket of 9 entries below 64 buckets).
 */
import { javaHashMapOrder } from '../../local/athena/java-hash-map';

const printed = (keys: string[], type: string) =>
  `{${javaHashMapOrder(
    keys.map((k, i) => [k, i] as [string, number]),
    type,
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;

it.each([
  [['b', 'a'], 'varchar', '{a=1, b=0}'],
  [
    ['banana', 'apple', 'cherry', 'date', 'elderberry', 'fig', 'grape'],
    'varchar',
    '{banana=0, date=3, apple=1, cherry=2, fig=5, grape=6, elderberry=4}',
  ],
  [['Aa', 'BB', 'C#', 'x', 'y'], 'varchar', '{Aa=0, BB=1, C#=2, x=3, y=4}'], // "Aa" and "BB" share a hash code
  [['é', 'ü', '日本', '😀', 'a'], 'varchar', '{a=4, 😀=3, é=0, 日本=2, ü=1}'], // UTF-16 code units
  [
    ['100', '-1', '1099511627776', '17', '5000000000', '-5000000000', '16', '0'],
    'bigint',
    '{-1=1, 1099511627776=2, 16=6, 0=7, 17=3, 100=0, 5000000000=4, -5000000000=5}',
  ],
  [['33', '1', '17', '-5', '100', '16', '0'], 'integer', '{16=5, 0=6, 33=0, 1=1, 17=2, -5=3, 100=4}'],
  [
    ['1.5', '-0.0', '0.0', '1.0E300', '2.0', 'NaN'],
    'double',
    '{-0.0=1, 0.0=2, 2.0=4, 1.0E300=3, 1.5=0, NaN=5}',
  ],
  [['true', 'false'], 'boolean', '{false=1, true=0}'],
])('%j (%s) as Java prints it', (keys, type, java) => {
  expect(printed(keys, type)).toBe(java);
});

it('lists 40 keys as Java does, over two doublings of the table', () => {
  const keys = Array.from({ length: 40 }, (_, i) => `key${(i * 7) % 40}`);
  expect(printed(keys, 'varchar').replace(/=\d+/g, '')).toBe(
    '{key1, key2, key0, key5, key6, key3, key4, key9, key7, key8, key22, key21, key20, key37, key15, key14, key36, ' +
      'key35, key13, key34, key12, key19, key18, key39, key17, key16, key38, key11, key33, key32, key10, key31, ' +
      'key30, key26, key25, key24, key23, key29, key28, key27}',
  );
});

it('keeps the order of keys whose hash code it does not know (a date)', () => {
  expect(printed(['2024-01-02', '2024-01-01'], 'date')).toBe('{2024-01-02=0, 2024-01-01=1}');
});
