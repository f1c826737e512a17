/**
 * The project's one seeded PRNG (sfc32, 128-bit state): weight initialisation, data shuffling, random
 * sweep sampling and synthetic report data all draw from it, so each is reproducible across machines
 * and backends; Math.random cannot be seeded. Its streams are pinned by tests: checkpoints resume
 * mid-run on the assumption that (seed, epoch) always gives the same shuffle.
 */
export interface Prng {
  /** Uniform in [0, 1) with 32 random bits. */
  next(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
}

/** Mixes any number of 32-bit integers (and strings) into one seed, so streams for (seed, epoch) differ. */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? `n${part}` : `s${part}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= h >>> 15;
  }
  return h >>> 0;
}

export function createPrng(...seedParts: (number | string)[]): Prng {
  const seed = mixSeed(...seedParts);
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of sfc32 correlate with the seed; discard them as the reference implementation does.
  for (let i = 0; i < 15; i++) nextUint32();
  return {
    next: () => nextUint32() / 4294967296,
    nextInt: (n: number) => Math.floor((nextUint32() / 4294967296) * n),
  };
}

/** Fisher–Yates shuffle of 0..n-1, fully determined by the PRNG. */
export function shuffledIndices(n: number, prng: Prng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}
