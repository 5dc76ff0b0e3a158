import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { createAdler32 } from 'hash-wasm'
import { ADLER32_EMPTY, adler32Combine, formatAdler32, parseAdler32 } from './adler32-combine.js'

async function oneShot(data: Uint8Array): Promise<number> {
  const h = await createAdler32()
  h.init()
  h.update(data)
  return parseAdler32(h.digest('hex'))
}

/** adler32 of n zero bytes, in closed form: a stays 1, b gains 1 per byte. */
function zeros(n: number): number {
  return (((n % 65521) << 16) | 1) >>> 0
}

describe('adler32Combine', () => {
  it('joins any split of random data into the one-shot adler32', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 20_000 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (data, cuts) => {
          const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((x, y) => x - y)
          const bounds = [0, ...at, data.length]
          let folded = ADLER32_EMPTY
          for (let i = 1; i < bounds.length; i++) {
            // Repeated bounds make empty pieces: they must change nothing.
            const piece = data.subarray(bounds[i - 1], bounds[i])
            folded = adler32Combine(folded, await oneShot(piece), piece.length)
          }
          assert.equal(formatAdler32(folded), formatAdler32(await oneShot(data)))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('holds where the sums wrap the modulus (long runs of 0xff)', async () => {
    const data = new Uint8Array(3 * 65521 + 17).fill(0xff)
    for (const cut of [1, 5552, 65520, 65521, 65522, 131_042, data.length - 1]) {
      const a = data.subarray(0, cut)
      const b = data.subarray(cut)
      assert.equal(
        adler32Combine(await oneShot(a), await oneShot(b), b.length),
        await oneShot(data),
        `cut at ${cut}`,
      )
    }
  })

  it('treats an empty piece as the identity on either side', async () => {
    const x = await oneShot(Buffer.from('Wikipedia'))
    assert.equal(formatAdler32(x), '11e60398')
    assert.equal(adler32Combine(x, ADLER32_EMPTY, 0), x)
    assert.equal(adler32Combine(ADLER32_EMPTY, x, 9), x)
  })

  it('is exact for pieces longer than 2^32 bytes', () => {
    // Checked against the closed form for zero bytes, since 8 GiB cannot be hashed in a test.
    for (const [m, n] of [
      [2 ** 32 + 5, 2 ** 33 + 123],
      [2 ** 40, 2 ** 32 - 1],
      [65521 * 70_000, 2 ** 45 + 1],
    ] as const) {
      assert.equal(adler32Combine(zeros(m), zeros(n), n), zeros(m + n), `${m} + ${n}`)
    }
  })

  it('refuses a length that is not a non-negative safe integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      assert.throws(() => adler32Combine(1, 1, bad), RangeError)
    }
  })

  it('formats and parses eight hex digits', () => {
    assert.equal(formatAdler32(1), '00000001')
    assert.equal(parseAdler32('FFFFFFFF'), 0xffffffff)
    assert.throws(() => parseAdler32('xyz'), RangeError)
  })
})
