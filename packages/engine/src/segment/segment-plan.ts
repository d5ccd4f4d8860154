import { ExecutionSegment } from './execution-segment.ts';
import { ONE, type Fraction } from './fraction.ts';
import { SegmentSequence } from './segment-sequence.ts';
import type { SegmentStripe } from './striping.ts';

/** One nesting level: a partition and the segment of it that is ours. */
export interface SegmentLevel {
  sequence: SegmentSequence;
  segment: ExecutionSegment;
}

/** A level as text: a segment ("1/3:2/3") and optionally its sequence ("0,1/3,2/3,1"). */
export interface SegmentLevelText {
  segment: string;
  sequence?: string;
}

/**
 * The share of a load that one executor instance runs: a chain of levels, each splitting the
 * indexes the previous level kept (level 1: the generator's share of global indexes; level 2: one
 * load worker's share of the generator's local ranks; …). All methods are O(levels).
 */
export class SegmentPlan {
  readonly levels: readonly SegmentLevel[];
  readonly #stripes: readonly SegmentStripe[];

  constructor(levels: readonly SegmentLevel[]) {
    this.levels = [...levels];
    // A full segment owns every index, so it is dropped from the chain (it is the identity).
    this.#stripes = levels
      .filter((l) => !l.segment.isFull)
      .map((l) => l.sequence.stripe(l.sequence.indexOf(l.segment)));
  }

  /** The whole load, unsegmented. */
  static full(): SegmentPlan {
    return new SegmentPlan([]);
  }

  /** Builds a plan from text levels; a level without a sequence uses its segment's default sequence. */
  static parse(levels: readonly SegmentLevelText[]): SegmentPlan {
    return new SegmentPlan(
      levels.map((l) => {
        const segment = ExecutionSegment.parse(l.segment);
        const sequence =
          l.sequence === undefined
            ? SegmentSequence.forSegment(segment)
            : SegmentSequence.parse(l.sequence);
        return { segment, sequence };
      }),
    );
  }

  /** This plan with one more nested level appended. */
  nest(level: SegmentLevel): SegmentPlan {
    return new SegmentPlan([...this.levels, level]);
  }

  /** Whether the plan owns every index. */
  get isFull(): boolean {
    return this.#stripes.length === 0;
  }

  /** Product of the levels' widths: the nominal share of the whole (exact shares are integer, see countBelow). */
  get width(): Fraction {
    return this.levels.reduce((w, l) => w.mul(l.segment.width), ONE);
  }

  /** Whether global index `i` (≥ 0) belongs to this plan. */
  owns(i: number): boolean {
    let x = i;
    for (const s of this.#stripes) {
      if (!s.owns(x)) return false;
      x = s.localRank(x);
    }
    return true;
  }

  /** How many of the global indexes 0..n-1 this plan owns (monotone in n). */
  countBelow(n: number): number {
    let x = n;
    for (const s of this.#stripes) x = s.countBelow(x);
    return x;
  }

  /** This plan's share of an integer quantity (VUs, iterations): countBelow(n); shares of a partition sum to n. */
  scaleCount(n: number): number {
    return this.countBelow(n);
  }

  /** Rank of an owned global index among the plan's indexes (0-based). */
  localRank(i: number): number {
    return this.countBelow(i);
  }

  /** The global index of the plan's `rank`-th index (inverse of localRank). */
  globalIndex(rank: number): number {
    let x = rank;
    for (let l = this.#stripes.length - 1; l >= 0; l--)
      x = (this.#stripes[l] as SegmentStripe).globalIndex(x);
    return x;
  }

  /** Levels in k6 syntax, e.g. "0:1/2@0,1/2,1 > 1/3:2/3@0,1/3,2/3,1". */
  toString(): string {
    if (this.levels.length === 0) return '0:1';
    return this.levels.map((l) => `${l.segment}@${l.sequence}`).join(' > ');
  }
}

/** Builds a plan from text levels, outermost (generator) first: same as SegmentPlan.parse. */
export function segmentPlanFromLevels(levels: readonly SegmentLevelText[]): SegmentPlan {
  return SegmentPlan.parse(levels);
}
