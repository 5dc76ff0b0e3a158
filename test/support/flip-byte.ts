/** Damages a stored file in place: the byte at `offset` XOR `mask` (what a bad disk or proxy does). */
import { closeSync, openSync, readSync, writeSync } from 'node:fs'

export function flipByte(file: string, offset: number, mask = 0x01): void {
  const fd = openSync(file, 'r+')
  try {
    const byte = Buffer.alloc(1)
    readSync(fd, byte, 0, 1, offset)
    byte[0] = byte[0]! ^ mask
    writeSync(fd, byte, 0, 1, offset)
  } finally {
    closeSync(fd)
  }
}
