// How a run is split over N generators: generator i runs the segment i/N:(i+1)/N of the
// sequence 0,1/N,…,1 and names its snapshot sources g<i> (or g<i> followed by a separator).

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The fraction k/n in lowest terms as the engine writes it ("0", "1", "1/3"). */
export function fraction(k: number, n: number): string {
  if (k === 0) return '0';
  const d = gcd(k, n);
  return n / d === 1 ? String(k / d) : `${k / d}/${n / d}`;
}

/** Segment of generator `index` of `count`: "i/N:(i+1)/N". */
export function segmentOf(index: number, count: number): string {
  return `${fraction(index, count)}:${fraction(index + 1, count)}`;
}

/** The whole partition of `count` generators: "0,1/N,…,1". */
export function segmentSequenceOf(count: number): string {
  return Array.from({ length: count + 1 }, (_, k) => fraction(k, count)).join(',');
}

/** Snapshot source prefix of generator `index`. */
export function sourceOf(index: number): string {
  return `g${index}`;
}

const SOURCE = /^g(\d+)(?:[./:_-].*)?$/;

/** The generator index a snapshot source belongs to, or undefined when it names none. */
export function sourceIndex(source: string): number | undefined {
  const m = SOURCE.exec(source);
  return m ? Number(m[1]) : undefined;
}

/** Missing seqs as compact ranges for people: "3, 5-7". */
export function formatSeqRanges(seqs: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < seqs.length) {
    const start = seqs[i] as number;
    let end = start;
    while (i + 1 < seqs.length && seqs[i + 1] === end + 1) end = seqs[++i] as number;
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(', ');
}
