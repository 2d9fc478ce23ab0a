/**
 * The filter's key hash (hashKey in filter/assembly/core/decide.ts) written again in TypeScript, and
 * the weighted pick it feeds: FNV-1a over UTF-16 code units, then murmur3's finaliser; the key modulo
 * the total weight walks the backends in order. Tests that count exactly where requests go compute
 * their expectation with it (../pick_test.ts checks it against the filter's own).
 *
 * @module
 */

/** hashKey of the filter, as an unsigned 32-bit number. */
export function referenceHashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The index of the backend a key picks among `weights`. */
export function referencePick(key: number, weights: number[]): number {
  let x = key % weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return -1;
}
