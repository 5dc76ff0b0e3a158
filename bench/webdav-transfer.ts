/**
 * Upload and download of a 1 GiB file to a real nginx WebDAV, side by side in one run: our
 * protocol with adler32 computed while streaming, `curl`, and `rclone` (Debian) doing the same.
 * Target: ≥ the faster peer, with checksumming on. Also shows the verified upload (read back).
 *   node --import tsx bench/webdav-transfer.ts [MiB]
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import {
  checksummed,
  PosixProtocol,
  ProtocolRegistry,
  StreamingChecksum,
  WebdavProtocol,
  writeVerified,
} from '../src/transfers/index.js'
import { startNginxWebdav } from '../test/support/nginx.js'

const mib = Number(process.argv[2] ?? 1024)
const bytes = mib * 1024 * 1024
const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-bench-'))
const file = path.join(dir, 'big.bin')
execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mib}`], { stdio: 'ignore' })
const nginx = await startNginxWebdav()
const dav = new WebdavProtocol()
const posix = new PosixProtocol()
const rcloneEnv = {
  ...process.env,
  RCLONE_CONFIG_DAV_TYPE: 'webdav',
  RCLONE_CONFIG_DAV_URL: `${nginx.url}/`,
  RCLONE_CONFIG_DAV_VENDOR: 'other',
}

async function timed(label: string, fn: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now()
  await fn()
  const gbs = bytes / 1e9 / ((performance.now() - t0) / 1000)
  console.log(`${label.padEnd(52)} ${gbs.toFixed(2).padStart(6)} GB/s`)
  return gbs
}

try {
  console.log(`file: ${mib} MiB; nginx-extras WebDAV at ${nginx.url}`)
  const curlUp = await timed(
    'upload   curl -T',
    () => void execFileSync('curl', ['-sf', '-T', file, `${nginx.url}/curl/big.bin`]),
  )
  const rcloneUp = await timed(
    'upload   rclone copyto',
    () => void execFileSync('rclone', ['copyto', file, 'dav:rclone/big.bin'], { env: rcloneEnv }),
  )
  let adler = ''
  const oursUp = await timed('upload   continuum (adler32 while streaming)', async () => {
    const sum = await StreamingChecksum.create()
    await dav.write(
      `${nginx.url}/ours/big.bin`,
      checksummed(posix.read(pathToFileURL(file).href), sum),
      { bytes },
    )
    adler = sum.digest().adler32
  })
  await timed('upload   continuum verified (+ read back, adler32)', async () => {
    await writeVerified(
      new ProtocolRegistry(),
      posix.read(pathToFileURL(file).href),
      `${nginx.url}/verified/big.bin`,
      { bytes, adler32: adler },
    )
  })
  const curlDown = await timed(
    'download curl -o',
    () =>
      void execFileSync('curl', [
        '-sf',
        '-o',
        path.join(dir, 'curl.bin'),
        `${nginx.url}/ours/big.bin`,
      ]),
  )
  const rcloneDown = await timed(
    'download rclone copyto',
    () =>
      void execFileSync('rclone', ['copyto', 'dav:ours/big.bin', path.join(dir, 'rclone.bin')], {
        env: rcloneEnv,
      }),
  )
  const oursDown = await timed('download continuum (adler32 while streaming)', async () => {
    const sum = await StreamingChecksum.create()
    await pipeline(
      Readable.from(checksummed(dav.read(`${nginx.url}/ours/big.bin`), sum)),
      createWriteStream(path.join(dir, 'ours.bin')),
    )
    if (sum.digest().adler32 !== adler || statSync(path.join(dir, 'ours.bin')).size !== bytes) {
      throw new Error('checksum mismatch')
    }
  })
  console.log(
    `upload:   ${((oursUp / Math.max(curlUp, rcloneUp)) * 100).toFixed(0)} % of the faster peer`,
  )
  console.log(
    `download: ${((oursDown / Math.max(curlDown, rcloneDown)) * 100).toFixed(0)} % of the faster peer`,
  )
} finally {
  await nginx.stop()
  rmSync(dir, { recursive: true, force: true })
}
