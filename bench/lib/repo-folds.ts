/**
 * Repository-level folds for cross-validation: every repository's logs fall
 * in exactly one fold, so no repository is both trained and tested on.
 */

/** A small seeded generator (mulberry32): the same seed gives the same folds on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Splits repositories into `k` folds of near-equal size: sorted (so the input
 * order does not matter), shuffled with `seed`, dealt round-robin. Returns the
 * fold of each repository.
 */
export function assignFolds(repos: Iterable<string>, k: number, seed: number): Map<string, number> {
  const distinct = [...new Set(repos)].sort();
  if (!Number.isInteger(k) || k < 2 || k > distinct.length) {
    throw new RangeError(`folds must be an integer from 2 to the number of repositories (${distinct.length}), got ${k}`);
  }
  const random = seededRandom(seed);
  for (let i = distinct.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = distinct[i] as string;
    distinct[i] = distinct[j] as string;
    distinct[j] = t;
  }
  return new Map(distinct.map((repo, i) => [repo, i % k]));
}
