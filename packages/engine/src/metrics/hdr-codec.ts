// The HdrHistogram "compressed V2" wire format (the snapshot `hdr` field), written and read
// without hdr-histogram-js's byte-at-a-time ByteBuffer and its intermediate histograms: counts go
// straight between the typed counts array and a Buffer, zlib and base64 are Node's native ones.
// The bytes stay the standard format, so either side can still use the library's codec.
import { deflateSync, inflateSync } from 'node:zlib';
import type { Histogram as HdrHistogram } from 'hdr-histogram-js';

const V2_COOKIE = 0x1c849303 | 0x10;
const V2_COMPRESSED_COOKIE = 0x1c849304 | 0x10;
const HEADER_BYTES = 40;
/** LEB128-64b9B: a ZigZag value never takes more than 9 bytes. */
const MAX_VARINT_BYTES = 9;

/**
 * The parts of hdr-histogram-js's JsHistogram (TypedArrayHistogram) this codec uses; they are not
 * in its typings, so `countsOf` checks they are there before anything relies on them.
 */
interface JsHistogramInternals {
  _counts: Uint32Array | Float64Array;
  countsArrayLength: number;
  maxValue: number;
  minNonZeroValue: number;
  totalCount: number;
  numberOfSignificantValueDigits: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  unitMagnitudeMask: number;
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  resize(highestTrackableValue: number): void;
  setTotalCount(count: number): void;
  updatedMaxValue(value: number): void;
  updateMinNonZeroValue(value: number): void;
}

/** The histogram's internals when it is a plain typed-array JsHistogram, else null. */
function internalsOf(h: HdrHistogram): JsHistogramInternals | null {
  const x = h as unknown as Partial<JsHistogramInternals>;
  const counts = x._counts;
  const ok =
    (counts instanceof Uint32Array || counts instanceof Float64Array) &&
    typeof x.countsArrayIndex === 'function' &&
    typeof x.valueFromIndex === 'function' &&
    typeof x.highestEquivalentValue === 'function' &&
    typeof x.resize === 'function' &&
    typeof x.setTotalCount === 'function' &&
    typeof x.updatedMaxValue === 'function' &&
    typeof x.updateMinNonZeroValue === 'function';
  return ok ? (x as JsHistogramInternals) : null;
}

// One scratch buffer for encoding, grown on demand: intervals are encoded one after another.
let scratch = Buffer.allocUnsafe(64 * 1024);

function writeVarint(buf: Buffer, pos: number, signed: number): number {
  // ZigZag, then LEB128 with the 9th byte carrying 8 bits (the 64b9B variant).
  let v = signed >= 0 ? signed * 2 : -signed * 2 - 1;
  if (v < 0x80) {
    buf[pos] = v;
    return pos + 1;
  }
  for (let i = 0; i < 8; i++) {
    if (v < 0x80) {
      buf[pos++] = v;
      return pos;
    }
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), pos);
  buf.writeUInt32BE(value % 0x1_0000_0000, pos + 4);
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readUInt32BE(pos) * 0x1_0000_0000 + buf.readUInt32BE(pos + 4);
}

/**
 * Encodes `h` as compressed V2 base64 (what hdr-histogram-js's encodeIntoCompressedBase64
 * produces, minus its trailing padding); null when `h` is not a typed-array JsHistogram.
 */
export function encodeCompressedV2(h: HdrHistogram): string | null {
  const x = internalsOf(h);
  if (x === null) return null;
  const counts = x._counts;
  const limit =
    x.totalCount === 0 ? 0 : Math.min(counts.length, x.countsArrayIndex(x.maxValue) + 1);
  const need = HEADER_BYTES + limit * MAX_VARINT_BYTES;
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
  const buf = scratch;
  buf.writeInt32BE(V2_COOKIE, 0);
  buf.writeInt32BE(1, 8); // normalizingIndexOffset, as the library writes it
  buf.writeInt32BE(x.numberOfSignificantValueDigits, 12);
  writeInt64(buf, 16, x.lowestDiscernibleValue);
  writeInt64(buf, 24, x.highestTrackableValue);
  writeInt64(buf, 32, 1); // integerToDoubleValueConversionRatio, as the library writes it
  let pos = HEADER_BYTES;
  let i = 0;
  while (i < limit) {
    const count = counts[i++] as number;
    if (count !== 0) {
      pos = writeVarint(buf, pos, count);
      continue;
    }
    // A run of zeros is written as its negated length (a single zero as 0).
    let zeros = 1;
    while (i < limit && counts[i] === 0) {
      zeros++;
      i++;
    }
    pos = writeVarint(buf, pos, zeros > 1 ? -zeros : 0);
  }
  buf.writeInt32BE(pos - HEADER_BYTES, 4);
  const compressed = deflateSync(buf.subarray(0, pos));
  const out = Buffer.allocUnsafe(8 + compressed.length);
  out.writeInt32BE(V2_COMPRESSED_COOKIE, 0);
  out.writeInt32BE(compressed.length, 4);
  compressed.copy(out, 8);
  return out.toString('base64');
}

/** The uncompressed V2 bytes inside a compressed V2 base64 string; throws when it is not one. */
function uncompressed(base64: string): Buffer {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length < 8 || (bytes.readInt32BE(0) & ~0xf0) !== (V2_COMPRESSED_COOKIE & ~0xf0)) {
    throw new Error('not a compressed V2 HdrHistogram encoding');
  }
  const length = bytes.readInt32BE(4);
  const raw = inflateSync(bytes.subarray(8, 8 + length));
  if (raw.length < HEADER_BYTES || (raw.readInt32BE(0) & ~0xf0) !== (V2_COOKIE & ~0xf0)) {
    throw new Error('not a V2 HdrHistogram encoding');
  }
  return raw;
}

/**
 * Adds the histogram encoded in `base64` (compressed V2) to `into`, bucket by bucket. Returns
 * false, changing nothing, when `into` is not a typed-array JsHistogram or was built with
 * another precision or unit (the caller then takes the library's path); throws on a bad encoding.
 */
export function addCompressedV2(into: HdrHistogram, base64: string): boolean {
  const x = internalsOf(into);
  if (x === null) return false;
  const raw = uncompressed(base64);
  if (
    raw.readInt32BE(12) !== x.numberOfSignificantValueDigits ||
    readInt64(raw, 16) !== x.lowestDiscernibleValue
  ) {
    return false;
  }
  const end = HEADER_BYTES + raw.readInt32BE(4);
  if (end > raw.length) throw new Error('truncated HdrHistogram encoding');
  const n = decodeCounts(raw, end);
  if (n === 0) return true;
  const indexes = decodedIndexes;
  const values = decodedCounts;
  const maxIndex = indexes[n - 1] as number;
  const minNonZeroIndex =
    indexes[0] === 0 ? (n > 1 ? (indexes[1] as number) : -1) : (indexes[0] as number);
  const otherMax = x.highestEquivalentValue(x.valueFromIndex(maxIndex)) + x.unitMagnitudeMask;
  if (maxIndex >= x.countsArrayLength) x.resize(otherMax);
  const counts = x._counts;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const index = indexes[k] as number;
    const count = values[k] as number;
    counts[index] = (counts[index] as number) + count;
    total += count;
  }
  // The same bookkeeping as the library's decode followed by add().
  x.setTotalCount(x.totalCount + total);
  x.updatedMaxValue(Math.max(x.maxValue, otherMax));
  if (minNonZeroIndex >= 0) {
    const rounded = x.unitMagnitudeMask + 1;
    const otherMin = Math.floor(x.valueFromIndex(minNonZeroIndex) / rounded) * rounded;
    x.updateMinNonZeroValue(Math.min(x.minNonZeroValue, otherMin));
  }
  return true;
}

// Scratch arrays of decodeCounts, grown on demand.
let decodedIndexes = new Int32Array(4096);
let decodedCounts = new Float64Array(4096);

/**
 * Decodes the V2 payload in `raw` up to byte `end` into decodedIndexes/decodedCounts (non-zero
 * counts only, ascending index); returns how many there are.
 */
function decodeCounts(raw: Buffer, end: number): number {
  let pos = HEADER_BYTES;
  let index = 0;
  let n = 0;
  while (pos < end) {
    // LEB128-64b9B, then ZigZag.
    let b = raw[pos++] as number;
    let v = b & 0x7f;
    if (b & 0x80) {
      let scale = 0x80;
      for (let k = 1; k < 9; k++) {
        b = raw[pos++] as number;
        v += (k === 8 ? b : b & 0x7f) * scale;
        if (!(b & 0x80) || k === 8) break;
        scale *= 0x80;
      }
    }
    if (v % 2 === 1) {
      index += (v + 1) / 2; // a run of zeros
      continue;
    }
    if (v !== 0) {
      if (n === decodedIndexes.length) {
        const grownIndexes = new Int32Array(n * 2);
        grownIndexes.set(decodedIndexes);
        decodedIndexes = grownIndexes;
        const grownCounts = new Float64Array(n * 2);
        grownCounts.set(decodedCounts);
        decodedCounts = grownCounts;
      }
      decodedIndexes[n] = index;
      decodedCounts[n] = v / 2;
      n++;
    }
    index++;
  }
  return n;
}
