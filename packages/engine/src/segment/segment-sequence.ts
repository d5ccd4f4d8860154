import { ExecutionSegment } from './execution-segment.ts';
import { Fraction, ONE, ZERO, lcm } from './fraction.ts';
import { SegmentStripe, stripingTable } from './striping.ts';

/** Largest striping period (lcm of the cut points' denominators) accepted, in indexes. */
export const MAX_STRIPING_PERIOD = 1_000_000;

/** Sorted cut points 0 = c0 < c1 < … < cm = 1 splitting the whole into segments (k6's execution segment sequence). */
export class SegmentSequence {
  readonly cuts: readonly Fraction[];
  /** Striping period L: the lcm of the cut points' denominators. */
  readonly period: number;
  #table: Uint32Array | undefined;
  #stripes = new Map<number, SegmentStripe>();

  constructor(cuts: readonly Fraction[]) {
    const first = cuts[0];
    const last = cuts[cuts.length - 1];
    if (cuts.length < 2 || !first?.equals(ZERO) || !last?.equals(ONE)) {
      throw new RangeError(
        `invalid segment sequence ${cuts.join(',')} (must start at 0 and end at 1)`,
      );
    }
    let period = 1;
    for (let i = 0; i < cuts.length; i++) {
      const c = cuts[i] as Fraction;
      if (i > 0 && c.compare(cuts[i - 1] as Fraction) <= 0) {
        throw new RangeError(
          `invalid segment sequence ${cuts.join(',')} (cut points must increase)`,
        );
      }
      period = lcm(period, c.den);
      if (period > MAX_STRIPING_PERIOD) {
        throw new RangeError(
          `segment sequence ${cuts.join(',')} needs a striping period above ${MAX_STRIPING_PERIOD}; use cut points with smaller denominators`,
        );
      }
    }
    this.cuts = [...cuts];
    this.period = period;
  }

  /** Parses k6's `--execution-segment-sequence` syntax: "0,1/3,2/3,1". */
  static parse(text: string): SegmentSequence {
    return new SegmentSequence(text.split(',').map((p) => Fraction.parse(p)));
  }

  /** The default sequence of a lone segment [a, b): its own cut points with 0 and 1 added. */
  static forSegment(segment: ExecutionSegment): SegmentSequence {
    const cuts = [ZERO, segment.from, segment.to, ONE];
    return new SegmentSequence(
      cuts.filter((c, i) => i === 0 || !c.equals(cuts[i - 1] as Fraction)),
    );
  }

  /** Number of segments (cut points − 1). */
  get length(): number {
    return this.cuts.length - 1;
  }

  /** The j-th segment [c_j, c_{j+1}). */
  segment(j: number): ExecutionSegment {
    const from = this.cuts[j];
    const to = this.cuts[j + 1];
    if (!from || !to) throw new RangeError(`segment ${j} out of range 0..${this.length - 1}`);
    return new ExecutionSegment(from, to);
  }

  /** All segments in order. */
  segments(): ExecutionSegment[] {
    return Array.from({ length: this.length }, (_, j) => this.segment(j));
  }

  /** Position of `segment` in this sequence; throws when it is not one of its segments. */
  indexOf(segment: ExecutionSegment): number {
    for (let j = 0; j < this.length; j++) {
      if (this.segment(j).equals(segment)) return j;
    }
    throw new RangeError(
      `execution segment ${segment} is not a segment of the sequence ${this.toString()}`,
    );
  }

  /** The striping table: owner segment of each residue 0..period-1 (computed once, cached). */
  table(): Uint32Array {
    this.#table ??= stripingTable(
      this.segments().map((s) => s.width.num * (this.period / s.width.den)),
      this.period,
    );
    return this.#table;
  }

  /** Integer-index ownership of the j-th segment (cached). */
  stripe(j: number): SegmentStripe {
    let stripe = this.#stripes.get(j);
    if (!stripe) {
      if (j < 0 || j >= this.length) throw new RangeError(`segment ${j} out of range`);
      stripe = new SegmentStripe(this.table(), j);
      this.#stripes.set(j, stripe);
    }
    return stripe;
  }

  /** "c0,c1,…,cm" in k6 syntax. */
  toString(): string {
    return this.cuts.join(',');
  }
}
