/**
 * Many small files between two nginx WebDAV endpoints, side by side in one run: Continuum's copy
 * layer (copyVerified: stream, adler32, read-back verification at the destination) against
 * `rclone copy` (size check only: nginx offers rclone no hashes), both with the same number of
 * transfers in flight. Prints files/s and the ratio (target ≥ 2× rclone).
 *   node --import tsx bench/transfer-small-files.ts [files=10000] [KiB=1024] [parallel=8]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { copyVerified, digestOf, ProtocolRegistry, type Digest } from '../src/transfers/index.js'
import { startNginxWebdav } from '../test/support/nginx.js'

const [files = 10_000, kib = 1024, parallel = 8] = process.argv.slice(2).map(Number)
const size = kib * 1024
const [a, b] = await Promise.all([startNginxWebdav(), startNginxWebdav()])

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data
}

try {
  console.log(
    `${files} files of ${kib} KiB, ${parallel} in flight; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
  )
  // Source files go straight onto the source server's disk; each differs in its first bytes.
  const srcDir = path.join(a.root, 'src')
  mkdirSync(srcDir)
  const base = randomBytes(size)
  const expected: Digest[] = []
  for (let i = 0; i < files; i++) {
    base.writeUInt32BE(i, 0)
    writeFileSync(path.join(srcDir, `f${i}.bin`), base)
    expected.push(await digestOf(once(base)))
  }
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'www-data:www-data', srcDir])

  const env = {
    ...process.env,
    RCLONE_CONFIG_A_TYPE: 'webdav',
    RCLONE_CONFIG_A_URL: `${a.url}/`,
    RCLONE_CONFIG_A_VENDOR: 'other',
    RCLONE_CONFIG_B_TYPE: 'webdav',
    RCLONE_CONFIG_B_URL: `${b.url}/`,
    RCLONE_CONFIG_B_VENDOR: 'other',
  }
  let t0 = performance.now()
  execFileSync(
    'rclone',
    [
      'copy',
      'a:src',
      'b:rclone',
      '--transfers',
      String(parallel),
      '--checkers',
      String(parallel),
      '-q',
    ],
    { env, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const rclone = files / ((performance.now() - t0) / 1000)
  if (readdirSync(path.join(b.root, 'rclone')).length !== files) {
    throw new Error('rclone copied too few')
  }
  console.log(
    `rclone copy --transfers ${parallel}`.padEnd(52),
    `${rclone.toFixed(1).padStart(8)} files/s`,
  )

  const registry = new ProtocolRegistry()
  let next = 0
  t0 = performance.now()
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < files; i = next++) {
        await copyVerified(
          registry,
          `${a.url}/src/f${i}.bin`,
          `${b.url}/ours/f${i}.bin`,
          expected[i]!,
        )
      }
    }),
  )
  const ours = files / ((performance.now() - t0) / 1000)
  console.log(
    `continuum copyVerified (read-back adler32)`.padEnd(52),
    `${ours.toFixed(1).padStart(8)} files/s`,
  )
  console.log(`  → ${(ours / rclone).toFixed(2)}× rclone (target ≥ 2×)`)
} finally {
  await Promise.all([a.stop(), b.stop()])
}
