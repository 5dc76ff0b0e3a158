/** adler32 (the field's standard) computed while bytes stream, with the size. */
import { createAdler32 } from 'hash-wasm'

export interface Digest {
  bytes: number
  adler32: string
}

export class StreamingChecksum {
  private constructor(private readonly hasher: Awaited<ReturnType<typeof createAdler32>>) {}
  bytes = 0

  static async create(): Promise<StreamingChecksum> {
    const hasher = await createAdler32()
    hasher.init()
    return new StreamingChecksum(hasher)
  }

  update(chunk: Uint8Array): void {
    this.hasher.update(chunk)
    this.bytes += chunk.byteLength
  }

  digest(): Digest {
    return { bytes: this.bytes, adler32: this.hasher.digest('hex') }
  }
}

/** Passes chunks through unchanged while checksumming them. */
export async function* checksummed(
  source: AsyncIterable<Uint8Array>,
  sum: StreamingChecksum,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    sum.update(chunk)
    yield chunk
  }
}

export async function digestOf(source: AsyncIterable<Uint8Array>): Promise<Digest> {
  const sum = await StreamingChecksum.create()
  for await (const chunk of source) sum.update(chunk)
  return sum.digest()
}
