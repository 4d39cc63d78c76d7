const BUCKETS = 12;
const MAX_SAMPLES_PER_BUCKET = 64;

interface Bucket {
  start: number;
  ok: number;
  err: number;
  firstByteMs: number[];
}

/**
 * Rolling counts and first-byte latencies for one target: a ring of 12 buckets covering `windowMs`.
 * Plain fields updated in place on the event loop: no locks, no timers, O(1) per call.
 */
export class HealthWindow {
  readonly #bucketMs: number;
  readonly #ring: Bucket[];

  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, Math.floor(windowMs / BUCKETS));
    this.#ring = Array.from({ length: BUCKETS }, () => ({
      start: -Infinity,
      ok: 0,
      err: 0,
      firstByteMs: [],
    }));
  }

  #bucket(now: number): Bucket {
    const start = now - (now % this.#bucketMs);
    const b = this.#ring[Math.floor(start / this.#bucketMs) % BUCKETS] as Bucket;
    if (b.start !== start) {
      b.start = start;
      b.ok = 0;
      b.err = 0;
      b.firstByteMs.length = 0;
    }
    return b;
  }

  ok(now: number): void {
    this.#bucket(now).ok += 1;
  }

  err(now: number): void {
    this.#bucket(now).err += 1;
  }

  firstByte(now: number, ms: number): void {
    const b = this.#bucket(now);
    if (b.firstByteMs.length < MAX_SAMPLES_PER_BUCKET) b.firstByteMs.push(ms);
  }

  #live(now: number): Bucket[] {
    const oldest = now - this.#bucketMs * BUCKETS;
    return this.#ring.filter((b) => b.start > oldest && b.start <= now);
  }

  counts(now: number): { requests: number; errors: number } {
    let ok = 0;
    let errors = 0;
    for (const b of this.#live(now)) {
      ok += b.ok;
      errors += b.err;
    }
    return { requests: ok + errors, errors };
  }

  /** p95 of first-byte times in the window, with the number of samples it stands on. */
  p95FirstByte(now: number): { p95: number | null; samples: number } {
    const all: number[] = [];
    for (const b of this.#live(now)) all.push(...b.firstByteMs);
    if (all.length === 0) return { p95: null, samples: 0 };
    all.sort((a, b) => a - b);
    return {
      p95: all[Math.min(all.length - 1, Math.ceil(all.length * 0.95) - 1)] as number,
      samples: all.length,
    };
  }
}
