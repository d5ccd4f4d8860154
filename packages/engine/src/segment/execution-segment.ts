import { Fraction, ONE, ZERO } from './fraction.ts';

/** A share [from, to) of a whole load, with 0 ≤ from < to ≤ 1 (k6's execution segment). */
export class ExecutionSegment {
  readonly from: Fraction;
  readonly to: Fraction;

  constructor(from: Fraction, to: Fraction) {
    if (from.compare(to) >= 0 || to.compare(ONE) > 0) {
      throw new RangeError(`invalid execution segment ${from}:${to} (need 0 <= from < to <= 1)`);
    }
    this.from = from;
    this.to = to;
  }

  /** Parses k6's `--execution-segment` syntax: "a:b" ("1/3:2/3", "0:0.5"), or "b" meaning "0:b". */
  static parse(text: string): ExecutionSegment {
    const parts = text.split(':');
    if (parts.length === 1) return new ExecutionSegment(ZERO, Fraction.parse(parts[0] as string));
    if (parts.length !== 2)
      throw new RangeError(`invalid execution segment "${text}" (expected "a:b")`);
    return new ExecutionSegment(
      Fraction.parse(parts[0] as string),
      Fraction.parse(parts[1] as string),
    );
  }

  /** The whole load [0, 1). */
  static full(): ExecutionSegment {
    return new ExecutionSegment(ZERO, ONE);
  }

  /** Width to − from, the segment's nominal share. */
  get width(): Fraction {
    return this.to.sub(this.from);
  }

  /** Whether this is [0, 1). */
  get isFull(): boolean {
    return this.from.equals(ZERO) && this.to.equals(ONE);
  }

  /** Whether both segments have the same bounds. */
  equals(o: ExecutionSegment): boolean {
    return this.from.equals(o.from) && this.to.equals(o.to);
  }

  /** "from:to" in k6 syntax. */
  toString(): string {
    return `${this.from}:${this.to}`;
  }
}
