// The verdict of a row once the BH q-value is known, and the words that explain it.
import type { ComparisonRow } from '@stampede/protocol';
import type { PendingRow } from './compare-row.ts';

function fmt(v: number | null, scale: 'log' | 'absolute', unit: string): string {
  if (v === null) return '∞';
  if (scale === 'log') return `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
  const digits = unit === 'ratio' ? 4 : 3;
  return `${v >= 0 ? '+' : ''}${Number(v.toPrecision(digits))}`;
}

/**
 * Decides a row: `regression`/`improvement` when the difference is significant after BH (q ≤ α)
 * and the change is shown beyond ±margin, also after BH (effect q ≤ α); `no-change`
 * when TOST shows equivalence within ±margin (p ≤ α); `inconclusive` otherwise.
 */
export function decide(
  row: PendingRow,
  qValue: number | null,
  effectQValue: number | null,
  alpha: number,
): ComparisonRow {
  const { fixed, ...withFixed } = row;
  const rest = { ...withFixed, effectQValue };
  if (fixed !== null) return { ...rest, qValue, verdict: fixed.verdict, reason: fixed.reason };
  const change = row.change;
  if (
    change === null ||
    qValue === null ||
    row.equivalencePValue === null ||
    effectQValue === null
  ) {
    return { ...rest, qValue, verdict: 'inconclusive', reason: 'inconclusive: not enough data' };
  }
  const unit = row.unit;
  const changeText = `${fmt(change.estimate, change.scale, unit)} [${fmt(change.low, change.scale, unit)}, ${fmt(change.high, change.scale, unit)}]`;
  const marginText =
    change.scale === 'log' ? `±${row.margin.toFixed(1)}%` : `±${Number(row.margin.toPrecision(3))}`;
  const mdeText =
    row.mde === null
      ? 'no change is detectable with this many runs'
      : `MDE ${fmt(row.mde, change.scale, unit).replace('+', '')}`;
  const significant = qValue <= alpha;
  const large = effectQValue <= alpha;
  if (significant && large) {
    const worse = change.estimate > 0 === (row.direction === 'higher-is-worse');
    return {
      ...rest,
      qValue,
      verdict: worse ? 'regression' : 'improvement',
      reason: `${worse ? 'regression' : 'improvement'}: changed by ${changeText}, beyond ${marginText} (q = ${qValue.toPrecision(2)}, q beyond margin = ${effectQValue.toPrecision(2)})`,
    };
  }
  if (row.equivalencePValue <= alpha) {
    return {
      ...rest,
      qValue,
      verdict: 'no-change',
      reason: `no change: ${changeText}, within ${marginText} (TOST p = ${row.equivalencePValue.toPrecision(2)})`,
    };
  }
  const why = significant
    ? `changed by ${changeText}, but neither shown beyond nor within ${marginText}`
    : `changed by ${changeText}, neither significant (q = ${qValue.toPrecision(2)}) nor shown within ${marginText}`;
  return { ...rest, qValue, verdict: 'inconclusive', reason: `inconclusive: ${why}; ${mdeText}` };
}
