import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { digestOf } from './checksums.js'

async function* chunks(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0
  for (const s of sizes) {
    if (at >= data.length) break
    yield data.subarray(at, at + s)
    at += s
  }
  if (at < data.length) yield data.subarray(at)
}

describe('adler32 while streaming', () => {
  it('matches the published values', async () => {
    assert.deepEqual(await digestOf(chunks(Buffer.from('Wikipedia'), [3, 3, 3])), {
      bytes: 9,
      adler32: '11e60398',
    })
    assert.deepEqual(await digestOf(chunks(new Uint8Array(0), [])), {
      bytes: 0,
      adler32: '00000001',
    })
  })

  it('does not depend on how the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 20 }),
        async (data, sizes) => {
          assert.deepEqual(
            await digestOf(chunks(data, sizes)),
            await digestOf(chunks(data, [data.length || 1])),
          )
        },
      ),
      { numRuns: 200 },
    )
  })
})
