/** Greatest common divisor of two non-negative safe integers. */
export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Least common multiple of two positive safe integers. */
export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** An exact non-negative rational number with a normalised integer numerator and denominator. */
export class Fraction {
  readonly num: number;
  readonly den: number;

  constructor(num: number, den = 1) {
    if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || den <= 0 || num < 0) {
      throw new RangeError(`invalid fraction ${num}/${den}`);
    }
    const g = gcd(num, den) || 1;
    this.num = num / g;
    this.den = den / g;
  }

  /** Parses "1/3", "0.25", "25%", "0" or "1" into an exact fraction. */
  static parse(text: string): Fraction {
    const s = text.trim();
    let m = /^(\d+)\s*\/\s*(\d+)$/.exec(s);
    if (m) {
      const den = Number(m[2]);
      if (den === 0) throw new RangeError(`invalid fraction "${text}": zero denominator`);
      return new Fraction(Number(m[1]), den);
    }
    m = /^(\d*)(?:\.(\d+))?(%?)$/.exec(s);
    if (m && (m[1] !== '' || m[2] !== undefined)) {
      // Decimal digits become an exact power-of-ten denominator, so "0.1" is exactly 1/10.
      const decimals = m[2] ?? '';
      const num = Number((m[1] || '0') + decimals);
      const den = 10 ** decimals.length * (m[3] === '%' ? 100 : 1);
      if (Number.isSafeInteger(num) && Number.isSafeInteger(den)) return new Fraction(num, den);
    }
    throw new RangeError(`invalid fraction "${text}" (expected e.g. "1/3", "0.25" or "25%")`);
  }

  /** Sum of two fractions. */
  add(o: Fraction): Fraction {
    const d = lcm(this.den, o.den);
    return new Fraction(this.num * (d / this.den) + o.num * (d / o.den), d);
  }

  /** Difference of two fractions (throws when negative). */
  sub(o: Fraction): Fraction {
    const d = lcm(this.den, o.den);
    return new Fraction(this.num * (d / this.den) - o.num * (d / o.den), d);
  }

  /** Product of two fractions. */
  mul(o: Fraction): Fraction {
    const g1 = gcd(this.num, o.den) || 1;
    const g2 = gcd(o.num, this.den) || 1;
    return new Fraction((this.num / g1) * (o.num / g2), (this.den / g2) * (o.den / g1));
  }

  /** Negative, zero or positive as this is below, equal to or above `o`. */
  compare(o: Fraction): number {
    return this.num * o.den - o.num * this.den;
  }

  /** Whether both fractions are the same number. */
  equals(o: Fraction): boolean {
    return this.num === o.num && this.den === o.den;
  }

  /** The nearest floating-point value. */
  toNumber(): number {
    return this.num / this.den;
  }

  /** "n/d", or "n" when the denominator is 1. */
  toString(): string {
    return this.den === 1 ? String(this.num) : `${this.num}/${this.den}`;
  }
}

/** The fraction 0. */
export const ZERO = new Fraction(0);
/** The fraction 1. */
export const ONE = new Fraction(1);
