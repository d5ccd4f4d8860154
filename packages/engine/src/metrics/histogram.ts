// A thin wrapper around hdr-histogram-js so the rest of the engine never touches its API (which
// mixes Java-style names, optional WebAssembly and mutable flags) and so the build options that
// make snapshots mergeable are set in exactly one place.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram as HdrHistogram } from 'hdr-histogram-js';
import { addCompressedV2, encodeCompressedV2 } from './hdr-codec.ts';

/** Options of a new histogram. */
export interface HistogramOptions {
  /**
   * Use 64-bit (float) bucket counts instead of 32-bit: for long-lived accumulators of many
   * intervals, where one bucket could pass 2^31 samples.
   */
  readonly wideCounts?: boolean;
}

function create(wide: boolean): HdrHistogram {
  // Three significant digits, resolution of one unit (µs for time trends), and a range that grows
  // on demand: one interval of fast requests stays a few kB, a 10-minute outlier still fits.
  return build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    useWebAssembly: false,
    bitBucketSize: wide ? 64 : 32,
  });
}

/**
 * An HDR histogram of non-negative integer units (µs for time trends, thousandths otherwise) with
 * three significant digits; negative values are clamped to 0 and fractions rounded to the nearest unit.
 */
export class Histogram {
  #h: HdrHistogram;
  readonly #wide: boolean;

  constructor(options: HistogramOptions = {}) {
    this.#wide = options.wideCounts === true;
    this.#h = create(this.#wide);
  }

  /** Decodes a histogram from the compressed V2 base64 encoding (the snapshot `hdr` field). */
  static decode(base64: string, options: HistogramOptions = {}): Histogram {
    const h = new Histogram(options);
    h.addEncoded(base64);
    return h;
  }

  /**
   * Adds every sample of the histogram encoded in `base64` (compressed V2), without building it
   * first: the same result as `add(Histogram.decode(base64))`, several times faster.
   */
  addEncoded(base64: string): void {
    if (addCompressedV2(this.#h, base64)) return;
    // Another precision or unit than ours: let the library translate it value by value.
    const decoded = decodeFromCompressedBase64(base64, this.#wide ? 64 : 32, false);
    if (decoded.totalCount === 0) return;
    this.#h.add(decoded);
  }

  /** Records `value` integer units `count` times (negative → 0, fractions rounded, non-finite ignored). */
  record(value: number, count = 1): void {
    if (!Number.isFinite(value) || count <= 0) return;
    const units = value <= 0 ? 0 : Math.round(value);
    if (count === 1) this.#h.recordValue(units);
    else this.#h.recordValueWithCount(units, count);
  }

  /** Adds every sample of `other` to this histogram (merging; percentiles are never averaged). */
  add(other: Histogram): void {
    if (other.#h.totalCount === 0) return;
    this.#h.add(other.#h);
  }

  /** Number of recorded samples. */
  get count(): number {
    return this.#h.totalCount;
  }

  /** Largest recorded value, units (0 when empty). */
  get max(): number {
    return this.#h.totalCount === 0 ? 0 : this.#h.maxValue;
  }

  /**
   * Value at percentile `p` (0–100), units: the highest value equivalent (within the precision) to
   * the nearest-rank sample; 0 when empty.
   */
  valueAtPercentile(p: number): number {
    if (this.#h.totalCount === 0) return 0;
    return this.#h.getValueAtPercentile(Math.min(100, Math.max(0, p)));
  }

  /** HdrHistogram compressed V2 encoding, base64 (the snapshot `hdr` field). */
  encode(): string {
    return encodeCompressedV2(this.#h) ?? encodeIntoCompressedBase64(this.#h);
  }

  /** Removes every sample, keeping the allocated range for the next interval. */
  reset(): void {
    this.#h.reset();
  }
}
