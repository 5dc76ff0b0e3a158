/**
 * adler32 of a concatenation from the adler32 of its parts (zlib's adler32_combine), so that
 * consecutive pieces of a file can be hashed on different threads and joined in order.
 */

/** The largest prime below 2^16: adler32's modulus. */
const BASE = 65521

/** adler32 of zero bytes: what a fold over pieces starts from. */
export const ADLER32_EMPTY = 1

/**
 * adler32 of A followed by B, given adler32(A), adler32(B) and B's length. Lengths beyond 2^32
 * are fine: only `lengthB mod 65521` enters the math, and a JS number holds integers up to 2^53.
 */
export function adler32Combine(adlerA: number, adlerB: number, lengthB: number): number {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) {
    throw new RangeError(`adler32Combine: length must be a non-negative integer, got ${lengthB}`)
  }
  const rem = lengthB % BASE
  // The low half (a) sums bytes plus 1, so B's "+1" is taken back; the high half (b) sums the
  // running a, so A's a counts once more for each of B's bytes.
  let a = (adlerA & 0xffff) + (adlerB & 0xffff) + BASE - 1
  let b = ((rem * (adlerA & 0xffff)) % BASE) + (adlerA >>> 16) + (adlerB >>> 16) + BASE - rem
  a %= BASE
  b %= BASE
  return ((b << 16) | a) >>> 0
}

/** Eight lower-case hex digits, as hash-wasm, xrootd and the catalogue write adler32. */
export function formatAdler32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0')
}

export function parseAdler32(hex: string): number {
  if (!/^[0-9a-f]{1,8}$/i.test(hex)) throw new RangeError(`not an adler32 value: '${hex}'`)
  return Number.parseInt(hex, 16) >>> 0
}
