/**
 * Many small files between two nginx WebDAV endpoints, side by side in one run: Continuum's copy
 * layer (copyVerified: stream, adler32, read-back verification at the destination) against
 * `rclone copy` (size check only: nginx offers rclone no hashes), both with the same number of
 * transfers in flight. Prints files/s and the ratio (target ≥ 2× rclone).
 * rclone gets the file list (`--files-from`, `--no-traverse`), as Continuum gets the rule's files
 * and digests; each side runs `runs` times in alternating order, each run into an empty
 * destination (removed, untimed, after its file count is checked), and medians are compared.
 *   node --import tsx bench/transfer-small-files.ts [files=10000] [KiB=1024] [parallel=8] [runs=3]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { copyVerified, digestOf, ProtocolRegistry, type Digest } from '../src/transfers/index.js'
import { startNginxWebdav } from '../test/support/nginx.js'
import { runFairly, type Contender } from './support/fair.js'

const [files = 10_000, kib = 1024, parallel = 8, runs = 3] = process.argv.slice(2).map(Number)
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
  // The same starting point for both: the list of files to copy. rclone reads it with
  // --files-from and --no-traverse (no listing of either side), as Continuum is handed the
  // rule's files with their catalogue digests.
  const names = Array.from({ length: files }, (_, i) => `f${i}.bin`)
  const list = path.join(a.root, 'files-from.txt')
  writeFileSync(list, `${names.join('\n')}\n`)
  let round = 0
  const contenders: Contender[] = [
    {
      name: 'rclone copy',
      run: () => {
        const target = `rclone-${round++}`
        const t0 = performance.now()
        execFileSync(
          'rclone',
          ['copy', 'a:src', `b:${target}`, '--files-from', list, '--no-traverse'].concat([
            '--transfers',
            String(parallel),
            '--checkers',
            String(parallel),
            '-q',
          ]),
          { env, stdio: ['ignore', 'ignore', 'inherit'] },
        )
        const s = (performance.now() - t0) / 1000
        if (readdirSync(path.join(b.root, target)).length !== files) {
          throw new Error('rclone copied too few')
        }
        rmSync(path.join(b.root, target), { recursive: true })
        return s
      },
    },
    {
      name: 'continuum',
      run: async () => {
        const target = `ours-${round++}`
        // A cold start like rclone's: no probe remembered, no keep-alive socket left from an
        // earlier run (nginx may have closed it while the other side ran).
        http.globalAgent.destroy()
        const registry = new ProtocolRegistry()
        let next = 0
        const t0 = performance.now()
        await Promise.all(
          Array.from({ length: parallel }, async () => {
            for (let i = next++; i < files; i = next++) {
              await copyVerified(
                registry,
                `${a.url}/src/${names[i]}`,
                `${b.url}/${target}/${names[i]}`,
                expected[i]!,
              )
            }
          }),
        )
        const s = (performance.now() - t0) / 1000
        if (readdirSync(path.join(b.root, target)).length !== files) {
          throw new Error('continuum copied too few')
        }
        rmSync(path.join(b.root, target), { recursive: true })
        return s
      },
    },
  ]
  const [rclone, ours] = await runFairly(contenders, runs)
  console.log(
    `rclone copy --transfers ${parallel} (size check only)`.padEnd(52),
    `${(files / rclone!.median).toFixed(1).padStart(8)} files/s (median)`,
  )
  console.log(
    `continuum copyVerified (read-back adler32)`.padEnd(52),
    `${(files / ours!.median).toFixed(1).padStart(8)} files/s (median)`,
  )
  console.log(`  → ${(rclone!.median / ours!.median).toFixed(2)}× rclone (target ≥ 2×)`)
} finally {
  await Promise.all([a.stop(), b.stop()])
}
