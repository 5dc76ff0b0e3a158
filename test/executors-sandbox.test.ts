/**
 * Jobs run confined (issue 15): a local task cannot read the server's keys or database, another
 * task's folder, or the server's CONTINUUM_* variables and tokens, cannot signal the server, and
 * runs as the unprivileged account; it still reads its inputs and writes its folder. Needs
 * bubblewrap: skipped locally without it, run under CI=true (.ci/run installs it).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { defaultSandbox, LocalExecutor, type JobSpec } from '../src/executors/index.js'
import { pastWallTime } from '../src/executors/run-folder.js'
import { sandboxHelper } from '../src/executors/sandbox-helper.js'

const hasBwrap = existsSync('/usr/bin/bwrap')
const skip = !hasBwrap && process.env.CI !== 'true' ? 'bubblewrap is not installed' : false
// Both ways into the sandbox: the per-site helper (a root server) and bwrap (always possible).
const modes = [
  {
    name: 'through the site helper',
    helper: true,
    skip:
      skip || (process.getuid?.() !== 0 ? 'the sandbox helper runs only for a root server' : false),
  },
  { name: 'through bwrap', helper: false, skip },
]

async function run(
  executor: LocalExecutor,
  job: JobSpec,
): Promise<{ code: number | null; out: string; err: string }> {
  await executor.submit(job)
  for (;;) {
    const status = (await executor.status([{ attemptId: job.attemptId, externalId: null }])).get(
      job.attemptId,
    )
    if (status && (status.state === 'done' || status.state === 'failed')) {
      const logs = await executor.logs({ attemptId: job.attemptId, externalId: null })
      return { code: status.exitCode, out: logs.stdout, err: logs.stderr }
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

for (const mode of modes) {
  it(
    `keeps the server keys, database, environment, network, other tasks and processes out of reach (${mode.name})`,
    { skip: mode.skip },
    async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-home-'))
      mkdirSync(path.join(home, 'keys'), { mode: 0o700 })
      const key = path.join(home, 'keys', 'issuer.json')
      writeFileSync(key, '{"d":"private signing key"}', { mode: 0o600 })
      mkdirSync(path.join(home, 'db'), { mode: 0o700 })
      writeFileSync(path.join(home, 'db', 'PG_VERSION'), '17')
      const other = mkdtempSync(path.join(os.tmpdir(), 'continuum-other-task-'))
      writeFileSync(path.join(other, 'result'), 'secret of another community')
      const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-task-'))
      writeFileSync(path.join(work, 'input.txt'), 'hello')
      process.env.CONTINUUM_TOKEN = 'server-token-that-must-not-leak'
      const executor = new LocalExecutor({
        root: path.join(home, 'runs'),
        cores: 2,
        memoryMb: 1024,
        confinement: { ...defaultSandbox, helper: mode.helper },
      })
      // A service of the server's on loopback: a job must not reach it.
      const server = net.createServer((socket) => socket.end('SERVICE-ANSWERED\n'))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const port = (server.address() as net.AddressInfo).port
      const probe = `require('net').connect(${port}, '127.0.0.1').on('data', (d) => process.stdout.write('NET-REACHED ' + d)).on('error', (e) => console.log('NET-' + e.code))`
      const script = [
        `cat ${key} && echo KEY-READ`,
        `ls ${path.join(home, 'db')} && echo DB-LISTED`,
        `cat ${path.join(other, 'result')} && echo OTHER-READ`,
        `kill -0 ${process.pid} && echo SERVER-SIGNALLED`,
        'env | grep -E "^CONTINUUM_|TOKEN" | grep -v CONTINUUM_CORES',
        'echo "uid=$(id -u) pid=$$ task=$TASK_NAME"',
        'cat input.txt > output.txt',
        // Node is a system program here (/usr/bin): the probe runs where it can be seen.
        ...(process.execPath.startsWith('/usr/') ? [`${process.execPath} -e "${probe}"`] : []),
      ].join('; ')
      const result = await run(executor, {
        attemptId: `sandbox-${process.pid}`,
        argv: ['/bin/sh', '-c', script],
        env: { TASK_NAME: 'probe' },
        workdir: work,
        inputs: ['input.txt'],
        cores: 1,
        memoryMb: 64,
        walltimeS: 60,
      })
      assert.doesNotMatch(result.out, /KEY-READ|private signing key/)
      assert.doesNotMatch(result.out, /DB-LISTED|PG_VERSION/)
      assert.doesNotMatch(result.out, /OTHER-READ|another community/)
      assert.doesNotMatch(result.out, /SERVER-SIGNALLED/)
      assert.doesNotMatch(result.out, /CONTINUUM_|server-token/)
      server.close()
      assert.match(result.out, /uid=65534 pid=\d+ task=probe/)
      if (process.execPath.startsWith('/usr/')) {
        assert.doesNotMatch(result.out, /NET-REACHED|SERVICE-ANSWERED/)
        assert.match(result.out, /NET-E[A-Z]+/, 'the probe ran and was refused')
      }
      assert.equal(
        existsSync(path.join(home, 'runs', `sandbox-${process.pid}`, 'spec')),
        mode.helper && sandboxHelper().binary !== null,
        'the job went the way its site says',
      )
      assert.equal(
        readFileSync(path.join(work, 'output.txt'), 'utf8'),
        'hello',
        'the task still does its work',
      )
    },
  )
}

it('refuses to run at all when bubblewrap is missing, unless unconfined is configured', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-nobwrap-'))
  assert.throws(
    () =>
      new LocalExecutor({
        root,
        cores: 1,
        memoryMb: 64,
        confinement: { uid: 65534, gid: 65534, maxFileMb: 1, maxProcesses: 10, binDir: root },
      }),
    (err: Error & { code?: string }) =>
      err.code === 'EXECUTOR_UNAVAILABLE' && /bubblewrap/.test(err.message),
  )
  assert.ok(new LocalExecutor({ root, cores: 1, memoryMb: 64, confinement: 'unconfined' }))
})

for (const mode of modes) {
  it(
    `holds a job to its wall time, CPU time, file size and process limits (${mode.name})`,
    { skip: mode.skip },
    async () => {
      const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-limits-'))
      const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-limits-task-'))
      const executor = new LocalExecutor({
        root,
        cores: 2,
        memoryMb: 1024,
        confinement: { ...defaultSandbox, maxFileMb: 1, maxProcesses: 300, helper: mode.helper },
      })
      const limited = await run(executor, {
        attemptId: `limits-${process.pid}`,
        argv: [
          '/bin/sh',
          '-c',
          'echo "cpu=$(ulimit -t) file=$(ulimit -f) procs=$(ulimit -p)"; head -c 2000000 /dev/zero > big || echo FILE-STOPPED',
        ],
        env: {},
        workdir: work,
        cores: 2,
        memoryMb: 64,
        walltimeS: 30,
      })
      assert.match(limited.out, /cpu=60 file=2048 procs=300/, 'CPU = wall time × cores; 1 MiB')
      assert.match(limited.out, /FILE-STOPPED/, 'a file past the size limit is cut off')
      const started = Date.now()
      const overdue = await run(executor, {
        attemptId: `overdue-${process.pid}`,
        argv: ['/bin/sh', '-c', 'echo started; sleep 60'],
        env: {},
        workdir: work,
        cores: 1,
        memoryMb: 64,
        walltimeS: 1,
      })
      assert.notEqual(overdue.code, 0)
      assert.match(overdue.out, /started/)
      assert.ok(Date.now() - started < 20_000, 'ended at its wall time, not when it would have')
      const status = (
        await executor.status([{ attemptId: `overdue-${process.pid}`, externalId: null }])
      ).get(`overdue-${process.pid}`)
      assert.equal(status?.reason, 'exceeded its wall time of 1 s')
    },
  )
}

it('lets a worker that adopts a job hold its wall time once the grace is over', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-adopted-'))
  writeFileSync(path.join(dir, 'pid'), '12345\n')
  writeFileSync(path.join(dir, 'walltime'), '5\n')
  assert.equal(pastWallTime(dir, Date.now() + 4_000), undefined)
  assert.equal(pastWallTime(dir, Date.now() + 14_000), undefined, 'within the 10 s grace')
  assert.equal(pastWallTime(dir, Date.now() + 16_000), 5)
})
