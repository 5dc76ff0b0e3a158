/**
 * One large file over loopback, side by side in one run: Continuum's verified copy (adler32
 * checked at the destination) against `xrdcp` (XRootD), `curl` and `rclone` (nginx WebDAV and
 * the XrdHttp grid door), and raw `cp` as the physical limit of this disk. Prints GB/s and the
 * ratios.
 *   node --import tsx bench/transfer-1gib.ts [MiB=1024] [--only xrootd|webdav|xrdhttp] [--rounds N=3]
 *
 * Fairness: every timed step starts with `sync` (outside the timing) and its output removed, so
 * no step pays for the previous one's dirty pages being written back; rounds alternate the order
 * of the steps (peers first, then Continuum first); ratios compare medians over the rounds. Run
 * with TMPDIR=/dev/shm to keep the disk out of a loopback comparison (servers and files then
 * live in memory; this machine's virtual disk otherwise decides every figure). Uploads go to new
 * names and are removed after their timing (servers that kept every upload slowed down run by
 * run); all downloads read the same file. Continuum's checksum threads are started before the
 * timings, as they are in a running worker.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  sharedChecksumPool,
} from '../src/transfers/index.js'
import { startNginxWebdav } from '../test/support/nginx.js'
import { startXrdHttp } from '../test/support/xrdhttp.js'
import { startXrootd } from '../test/support/xrootd.js'

const args = process.argv.slice(2)
const mib = Number(args.find((a) => /^\d+$/.test(a)) ?? 1024)
const option = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined
const only = option('--only')
const rounds = Number(option('--rounds') ?? 3)
const bytes = mib * 1024 * 1024
const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-bench-'))
const file = path.join(dir, 'big.bin')
execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mib}`], { stdio: 'ignore' })
const fileUrl = pathToFileURL(file).href
const expected = await digestOf(new PosixProtocol().read(fileUrl))
const registry = new ProtocolRegistry()
const local = (name: string): string => path.join(dir, name)
const seen = new Map<string, number[]>()
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

interface Step {
  label: string
  run: () => Promise<unknown> | void
  /** Local files the step writes (removed before it runs). */
  writes?: string[]
  /** Removes what the step uploaded (untimed): servers that keep every upload slowed down. */
  after?: () => void
}

// Every upload writes a new remote name: rclone skips a file that is already there, and
// deleting first has tripped XrdHttp 5.5 (the next PUT on it was reset).
let uploads = 0
const fresh = (who: string): string => `${who}-${++uploads}.bin`

function run(cmd: string, argv: string[], env?: NodeJS.ProcessEnv): void {
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'], ...(env ? { env } : {}) })
}

async function timed(step: Step): Promise<void> {
  for (const f of step.writes ?? []) rmSync(f, { force: true })
  run('sync', [])
  const t0 = performance.now()
  await step.run()
  const gbs = bytes / 1e9 / ((performance.now() - t0) / 1000)
  step.after?.()
  console.log(`${step.label.padEnd(58)} ${gbs.toFixed(2).padStart(6)} GB/s`)
  seen.set(step.label, [...(seen.get(step.label) ?? []), gbs])
}

/** Runs the steps `rounds` times, reversing their order every other round. */
async function measure(steps: Step[]): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (const step of r % 2 === 0 ? steps : [...steps].reverse()) await timed(step)
  }
}

function ratio(label: string, ours: string, peers: string[]): void {
  // Medians over the rounds: one lucky or unlucky round does not decide the ratio.
  const o = median(seen.get(ours) ?? [0])
  const p = Math.max(...peers.map((l) => median(seen.get(l) ?? [0])))
  console.log(`  → ${label}: ${((o / p) * 100).toFixed(0)} % (medians)`)
}

async function xrootdSection(): Promise<void> {
  const xrd = await startXrootd()
  const server = xrd.url.replace(/^root:\/\//, '')
  // Each upload goes to a new name and is removed after its timing.
  let last = ''
  const to = (who: string): string => (last = `${xrd.url}//${fresh(who)}`)
  const removeLast = (): void => run('xrdfs', [server, 'rm', new URL(last).pathname])
  try {
    const up = {
      xrdcp: 'xrootd upload   xrdcp',
      cksum: 'xrootd upload   xrdcp --cksum adler32 (verified)',
      ours: 'xrootd upload   continuum copyVerified',
    }
    await measure([
      { label: up.xrdcp, run: () => run('xrdcp', ['-s', '-f', file, to('x')]), after: removeLast },
      {
        label: up.cksum,
        run: () => run('xrdcp', ['-s', '-f', '--cksum', 'adler32', file, to('xc')]),
        after: removeLast,
      },
      {
        label: up.ours,
        run: () => copyVerified(registry, fileUrl, to('xo'), expected),
        after: removeLast,
      },
    ])
    // Every download reads the same file.
    const remote = `${xrd.url}//src.bin`
    run('xrdcp', ['-s', '-f', file, remote])
    const down = {
      xrdcp: 'xrootd download xrdcp',
      cksum: 'xrootd download xrdcp --cksum adler32 (verified)',
      ours: 'xrootd download continuum copyVerified',
    }
    await measure([
      {
        label: down.xrdcp,
        writes: [local('x-peer.bin')],
        run: () => run('xrdcp', ['-s', '-f', remote, local('x-peer.bin')]),
      },
      {
        label: down.cksum,
        writes: [local('x-peer-c.bin')],
        run: () => run('xrdcp', ['-s', '-f', '--cksum', 'adler32', remote, local('x-peer-c.bin')]),
      },
      {
        label: down.ours,
        writes: [local('x-ours.bin')],
        run: () =>
          copyVerified(registry, remote, pathToFileURL(local('x-ours.bin')).href, expected),
      },
    ])
    for (const f of ['x-peer.bin', 'x-peer-c.bin', 'x-ours.bin']) rmSync(local(f), { force: true })
    ratio('xrootd upload vs xrdcp', up.ours, [up.xrdcp])
    ratio('xrootd upload vs xrdcp --cksum', up.ours, [up.cksum])
    ratio('xrootd download vs xrdcp', down.ours, [down.xrdcp])
    ratio('xrootd download vs xrdcp --cksum', down.ours, [down.cksum])
    ratio('xrootd upload vs cp', up.ours, ['physical limit: cp'])
    ratio('xrootd download vs cp', down.ours, ['physical limit: cp'])
  } finally {
    await xrd.stop()
  }
}

/** Upload and download through one WebDAV server: curl and rclone, then Continuum verified. */
async function webdavSection(server: string, url: string): Promise<void> {
  const rcloneEnv = {
    ...process.env,
    RCLONE_CONFIG_DAV_TYPE: 'webdav',
    RCLONE_CONFIG_DAV_URL: `${url}/`,
    RCLONE_CONFIG_DAV_VENDOR: 'other',
  }
  const tag = server.padEnd(7)
  run('curl', ['-sf', '-T', file, `${url}/src.bin`]) // what the downloads read (untimed)
  let last = ''
  const to = (who: string): string => (last = fresh(who))
  const removeLast = (): void => run('curl', ['-sf', '-X', 'DELETE', `${url}/${last}`])
  const up = {
    curl: `${tag} upload   curl -T`,
    rclone: `${tag} upload   rclone copyto`,
    ours: `${tag} upload   continuum copyVerified`,
    bare: `${tag} upload   continuum uploadFile, not verified`,
  }
  let how = ''
  await measure([
    {
      label: up.curl,
      run: () => run('curl', ['-sf', '-T', file, `${url}/${to('curl')}`]),
      after: removeLast,
    },
    {
      label: up.rclone,
      run: () => run('rclone', ['copyto', file, `dav:${to('rclone')}`], rcloneEnv),
      after: removeLast,
    },
    {
      label: up.ours,
      run: async () => {
        how = (await copyVerified(registry, fileUrl, `${url}/${to('ours')}`, expected)).verifiedBy
      },
      after: removeLast,
    },
    {
      // The same upload without the verification: what verifying costs on top.
      label: up.bare,
      run: () => registry.for(url).uploadFile!(file, `${url}/${to('bare')}`, { bytes }),
      after: removeLast,
    },
  ])
  const down = {
    curl: `${tag} download curl -o`,
    rclone: `${tag} download rclone copyto`,
    ours: `${tag} download continuum copyVerified`,
  }
  const out = (who: string) => local(`${server}-${who}.bin`)
  await measure([
    {
      label: down.curl,
      writes: [out('curl')],
      run: () => run('curl', ['-sf', '-o', out('curl'), `${url}/src.bin`]),
    },
    {
      label: down.rclone,
      writes: [out('rclone')],
      run: () => run('rclone', ['copyto', 'dav:src.bin', out('rclone')], rcloneEnv),
    },
    {
      label: down.ours,
      writes: [out('ours')],
      run: () =>
        copyVerified(registry, `${url}/src.bin`, pathToFileURL(out('ours')).href, expected),
    },
  ])
  console.log(`  (${server}: Continuum's upload verified by ${how})`)
  ratio(`${server} upload verified vs faster peer`, up.ours, [up.curl, up.rclone])
  ratio(`${server} upload not verified vs faster peer`, up.bare, [up.curl, up.rclone])
  ratio(`${server} download verified vs faster peer`, down.ours, [down.curl, down.rclone])
  ratio(`${server} upload vs cp`, up.ours, ['physical limit: cp'])
  ratio(`${server} download vs cp`, down.ours, ['physical limit: cp'])
  for (const who of ['curl', 'rclone', 'ours']) rmSync(out(who), { force: true })
}

await sharedChecksumPool().warm()
console.log(
  `file: ${mib} MiB, adler32 ${expected.adler32}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, ${rounds} rounds`,
)
try {
  await measure([
    {
      label: 'physical limit: cp',
      writes: [local('cp.bin')],
      run: () => run('cp', [file, local('cp.bin')]),
    },
    {
      // POSIX to POSIX: a kernel copy, then the copy read back and checked.
      label: 'posix → posix continuum copyVerified',
      writes: [local('posix.bin')],
      run: () => copyVerified(registry, fileUrl, pathToFileURL(local('posix.bin')).href, expected),
    },
  ])
  ratio('posix → posix verified vs cp', 'posix → posix continuum copyVerified', [
    'physical limit: cp',
  ])
  rmSync(local('cp.bin'), { force: true })
  rmSync(local('posix.bin'), { force: true })
  if (!only || only === 'xrootd') await xrootdSection()
  if (!only || only === 'webdav') {
    const nginx = await startNginxWebdav()
    try {
      await webdavSection('nginx', nginx.url)
    } finally {
      await nginx.stop()
    }
  }
  if (!only || only === 'xrdhttp') {
    // The grid WebDAV door (XrdHttp): it answers Want-Digest, so no read-back is needed.
    const door = await startXrdHttp()
    try {
      await webdavSection('xrdhttp', door.httpUrl)
    } finally {
      await door.stop()
    }
  }
  console.log('\neach step over the rounds, GB/s: median (best)')
  for (const [label, xs] of seen) {
    console.log(
      `  ${label.padEnd(58)} ${median(xs).toFixed(2).padStart(6)} (${Math.max(...xs).toFixed(2)})`,
    )
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
