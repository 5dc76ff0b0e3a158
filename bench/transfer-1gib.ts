/**
 * One large file over loopback, side by side in one run: Continuum's verified copy (adler32
 * checked at the destination) against `xrdcp` (XRootD), `curl` and `rclone` (nginx WebDAV), and
 * raw `cp` as the physical limit of this disk. Prints GB/s and the ratios.
 *   node --import tsx bench/transfer-1gib.ts [MiB=1024] [--only xrootd|webdav]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  checksummed,
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  StreamingChecksum,
} from '../src/transfers/index.js'
import { startNginxWebdav } from '../test/support/nginx.js'
import { startXrootd } from '../test/support/xrootd.js'

const args = process.argv.slice(2)
const mib = Number(args.find((a) => /^\d+$/.test(a)) ?? 1024)
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
const bytes = mib * 1024 * 1024
const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-bench-'))
const file = path.join(dir, 'big.bin')
execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mib}`], { stdio: 'ignore' })
const fileUrl = pathToFileURL(file).href
const expected = await digestOf(new PosixProtocol().read(fileUrl))
const registry = new ProtocolRegistry()
const rows: [string, number][] = []

async function timed(label: string, fn: () => Promise<unknown> | void): Promise<number> {
  const t0 = performance.now()
  await fn()
  const gbs = bytes / 1e9 / ((performance.now() - t0) / 1000)
  console.log(`${label.padEnd(58)} ${gbs.toFixed(2).padStart(6)} GB/s`)
  rows.push([label, gbs])
  return gbs
}

function run(cmd: string, argv: string[], env?: NodeJS.ProcessEnv): void {
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'], ...(env ? { env } : {}) })
}

function ratio(label: string, ours: number, peer: number): void {
  console.log(`  → ${label}: ${((ours / peer) * 100).toFixed(0)} %`)
}

const local = (name: string): string => path.join(dir, name)
console.log(
  `file: ${mib} MiB, adler32 ${expected.adler32}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
)
try {
  const cp = await timed('physical limit: cp', () => run('cp', [file, local('cp.bin')]))
  rmSync(local('cp.bin'))

  if (!only || only === 'xrootd') {
    const xrd = await startXrootd()
    try {
      const up = await timed('xrootd upload   xrdcp', () =>
        run('xrdcp', ['-s', '-f', file, `${xrd.url}//peer.bin`]),
      )
      const upC = await timed('xrootd upload   xrdcp --cksum adler32 (verified)', () =>
        run('xrdcp', ['-s', '-f', '--cksum', 'adler32', file, `${xrd.url}//peer-c.bin`]),
      )
      const ours = await timed('xrootd upload   continuum copyVerified', () =>
        copyVerified(registry, fileUrl, `${xrd.url}//ours.bin`, expected),
      )
      ratio('vs xrdcp', ours, up)
      ratio('vs xrdcp --cksum', ours, upC)
      ratio('vs cp', ours, cp)
      const down = await timed('xrootd download xrdcp', () =>
        run('xrdcp', ['-s', '-f', `${xrd.url}//peer.bin`, local('x-peer.bin')]),
      )
      const downC = await timed('xrootd download xrdcp --cksum adler32 (verified)', () =>
        run('xrdcp', [
          '-s',
          '-f',
          '--cksum',
          'adler32',
          `${xrd.url}//peer.bin`,
          local('x-peer-c.bin'),
        ]),
      )
      const oursDown = await timed('xrootd download continuum copyVerified', () =>
        copyVerified(
          registry,
          `${xrd.url}//ours.bin`,
          pathToFileURL(local('x-ours.bin')).href,
          expected,
        ),
      )
      ratio('vs xrdcp', oursDown, down)
      ratio('vs xrdcp --cksum', oursDown, downC)
      ratio('vs cp', oursDown, cp)
      for (const f of ['x-peer.bin', 'x-peer-c.bin', 'x-ours.bin']) {
        rmSync(local(f), { force: true })
      }
    } finally {
      await xrd.stop()
    }
  }

  if (!only || only === 'webdav') {
    const nginx = await startNginxWebdav()
    const rcloneEnv = {
      ...process.env,
      RCLONE_CONFIG_DAV_TYPE: 'webdav',
      RCLONE_CONFIG_DAV_URL: `${nginx.url}/`,
      RCLONE_CONFIG_DAV_VENDOR: 'other',
    }
    try {
      const curlUp = await timed('webdav upload   curl -T', () =>
        run('curl', ['-sf', '-T', file, `${nginx.url}/curl.bin`]),
      )
      const rcloneUp = await timed('webdav upload   rclone copyto', () =>
        run('rclone', ['copyto', file, 'dav:rclone.bin'], rcloneEnv),
      )
      const ours = await timed('webdav upload   continuum copyVerified (+ read-back)', () =>
        copyVerified(registry, fileUrl, `${nginx.url}/ours.bin`, expected),
      )
      const streamOnly = await timed(
        'webdav upload   continuum write, adler32 while streaming',
        async () => {
          // As copyVerified streams, without the read-back: what verification costs on top.
          const sum = await StreamingChecksum.create()
          const source = checksummed(new PosixProtocol().read(fileUrl), sum)
          await registry.for(`${nginx.url}/x`).write(`${nginx.url}/stream.bin`, source, { bytes })
          if (sum.digest().adler32 !== expected.adler32) throw new Error('adler32 differs')
        },
      )
      ratio('verified vs faster peer', ours, Math.max(curlUp, rcloneUp))
      ratio('streaming vs faster peer', streamOnly, Math.max(curlUp, rcloneUp))
      ratio('verified vs cp', ours, cp)
      const curlDown = await timed('webdav download curl -o', () =>
        run('curl', ['-sf', '-o', local('w-curl.bin'), `${nginx.url}/ours.bin`]),
      )
      const rcloneDown = await timed('webdav download rclone copyto', () =>
        run('rclone', ['copyto', 'dav:ours.bin', local('w-rclone.bin')], rcloneEnv),
      )
      const oursDown = await timed('webdav download continuum copyVerified', () =>
        copyVerified(
          registry,
          `${nginx.url}/ours.bin`,
          pathToFileURL(local('w-ours.bin')).href,
          expected,
        ),
      )
      ratio('vs faster peer', oursDown, Math.max(curlDown, rcloneDown))
      ratio('vs cp', oursDown, cp)
    } finally {
      await nginx.stop()
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
