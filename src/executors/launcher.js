// The local executor's launcher: a small process that queues jobs and forks them when enough
// cores and memory are free. It runs beside the worker so that (1) forking stays fast — forking
// from a worker with a large heap (an embedded database) copies its page tables — and (2) jobs
// start the moment others end, even while the worker's event loop is busy with the database.
// Usage: node launcher.js <cores> <memoryMb> [sandbox helper]. JSON lines on stdin/stdout:
//   → {"op":"run","id","dir","argv","cwd","env","cores","memoryMb","walltimeS"}
//   → {"op":"run","id","dir","helper":{"spec","uid"},"cgroup","cores","memoryMb","walltimeS"}
//   → {"op":"drop","id","graceMs"}
//   ← {"id","started":true,"pid"}  ← {"id","exit":true}  ← {"id","error"}  ← {"id","exists":true}
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'

const capacity = { cores: Number(process.argv[2] ?? 1), memoryMb: Number(process.argv[3] ?? 1024) }
const used = { cores: 0, memoryMb: 0, jobs: 0 }
const queue = []
/** Started jobs by id, so that a drop that crosses the "started" reply still ends the job. */
const running = new Map()
const reply = (message) => {
  if (!process.stdout.writable) return
  process.stdout.write(`${JSON.stringify(message)}\n`)
}
// The worker that reads these replies may be gone (killed): its pipe then fails with EPIPE.
// Started jobs keep running and are found again through their run folders, so the launcher
// stops replying and carries on instead of dying on an unhandled error.
process.stdout.on('error', () => {})

function pump() {
  while (queue.length > 0) {
    const job = queue[0]
    const cores = Math.min(job.cores, capacity.cores)
    const memoryMb = Math.min(job.memoryMb, capacity.memoryMb)
    const fits =
      used.jobs === 0 ||
      (used.cores + cores <= capacity.cores && used.memoryMb + memoryMb <= capacity.memoryMb)
    if (!fits) return
    queue.shift()
    start(job, cores, memoryMb)
  }
}

function start(job, cores, memoryMb) {
  try {
    // Exclusive: a folder that exists means this attempt was started already (by any worker).
    mkdirSync(job.dir)
  } catch {
    reply({ id: job.id, exists: true })
    return
  }
  used.cores += cores
  used.memoryMb += memoryMb
  used.jobs++
  let released = false
  const release = () => {
    if (released) return
    released = true
    used.cores -= cores
    used.memoryMb -= memoryMb
    used.jobs--
    pump()
  }
  // What is known of the started job: its pid (its process group) once it has one.
  const handle = { pid: undefined, overtime: undefined, dropped: undefined }
  running.set(job.id, handle)
  const started = (pid) => {
    handle.pid = pid
    // The wall time is kept here, not by a `timeout` in front of every job: SIGTERM to the job's
    // group (its wrapper or monitor outlives it and records the exit), SIGKILL 10 s later. The
    // run folder says how long the job may run, so a worker that adopts it after a crash can
    // hold it too.
    if (job.walltimeS > 0) {
      writeFileSync(path.join(job.dir, 'walltime'), `${job.walltimeS}\n`)
      handle.overtime = setTimeout(() => {
        writeFileSync(
          path.join(job.dir, 'reason'),
          `exceeded its wall time of ${job.walltimeS} s\n`,
        )
        killGroup(pid, 'SIGTERM')
        setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000).unref()
      }, job.walltimeS * 1000)
    }
    reply({ id: job.id, started: true, pid })
    if (handle.dropped !== undefined) {
      killGroup(pid, 'SIGTERM')
      setTimeout(() => killGroup(pid, 'SIGKILL'), handle.dropped).unref()
    }
  }
  const ended = () => {
    clearTimeout(handle.overtime)
    removeCgroup(job.cgroup ?? job.env?.CONTINUUM_CGROUP)
    running.delete(job.id)
    reply({ id: job.id, exit: true })
    release()
    if (closing && running.size === 0 && pending === 0) process.exit(0)
  }
  if (job.helper) {
    // The site's sandbox helper forks it: its description goes into the run folder first.
    writeFileSync(path.join(job.dir, 'spec'), job.helper.spec)
    helperJobs.set(job.id, { started, ended })
    toHelper(`${job.id}\t${job.dir}\t${job.helper.uid}\n`)
    return
  }
  const child = spawn(job.argv[0], job.argv.slice(1), {
    cwd: job.cwd,
    env: job.env,
    detached: true,
    stdio: 'ignore',
  })
  child.on('error', (err) => {
    writeFileSync(path.join(job.dir, 'stderr'), `could not start: ${err.message}\n`)
    writeFileSync(path.join(job.dir, 'rc'), '127\n')
    running.delete(job.id)
    reply({ id: job.id, error: err.message })
    release()
  })
  child.on('exit', ended)
  if (child.pid !== undefined) started(child.pid)
}

/**
 * The site's sandbox helper (sandbox-helper.c), started with the first job for it. It answers
 * `S <id> <pid>` as a job's monitor starts and `E <id>` once the job's exit is recorded.
 */
const helperPath = process.argv[4]
const helperJobs = new Map()
let helper
function toHelper(line) {
  if (!helper) {
    helper = spawn(helperPath, [], { stdio: ['pipe', 'pipe', 'inherit'] })
    helper.stdin.on('error', () => {})
    createInterface({ input: helper.stdout }).on('line', (answer) => {
      const [kind, id, pid] = answer.split(' ')
      const job = helperJobs.get(id)
      if (!job) return
      if (kind === 'S') job.started(Number(pid))
      if (kind === 'E') {
        helperJobs.delete(id)
        job.ended()
      }
    })
    // Without its helper the launcher cannot learn of its jobs' ends: it goes, and the worker
    // reads their run folders instead (started jobs run on under their monitors).
    helper.on('exit', () => {
      if (helperJobs.size > 0) process.exit(1)
      helper = undefined
    })
  }
  helper.stdin.write(line)
}

/**
 * Removes an ended job's memory cgroup here rather than in its wrapper (no rmdir to exec per
 * job). The kernel may count an exiting task a moment longer, so removal is retried for 5 s; a
 * cgroup still busy after that is left to the executor's next look at the attempt.
 */
function removeCgroup(dir, tries = 0) {
  if (!dir) return
  try {
    rmdirSync(dir)
  } catch (err) {
    if (err.code === 'EBUSY' && tries < 100) {
      pending++
      setTimeout(() => {
        pending--
        removeCgroup(dir, tries + 1)
        if (closing && running.size === 0 && pending === 0) process.exit(0)
      }, 50)
    }
  }
}
let pending = 0

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let message
  try {
    message = JSON.parse(line)
  } catch {
    return
  }
  if (message.op === 'run') {
    queue.push(message)
    pump()
  } else if (message.op === 'drop') {
    const i = queue.findIndex((j) => j.id === message.id)
    if (i >= 0) queue.splice(i, 1)
    const child = running.get(message.id)
    // Dropped while its "started" reply was on the way: end it as a cancel would.
    if (child?.pid !== undefined) {
      killGroup(child.pid, 'SIGTERM')
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), message.graceMs ?? 5000).unref()
    } else if (child) {
      // Handed to the sandbox helper, pid not known yet: ended as soon as it is.
      child.dropped = message.graceMs ?? 5000
    }
  }
})
// When the worker goes, queued jobs are dropped (the engine finds them unknown and submits them
// again); started ones run on in their own process groups, and the launcher stays to hold their
// wall time, ending with the last of them.
let closing = false
process.stdin.on('end', () => {
  closing = true
  queue.length = 0
  // Whoever started this may wait for its error output to close (a test runner does).
  try {
    closeSync(2)
  } catch {
    // already closed
  }
  if (running.size === 0 && pending === 0) process.exit(0)
})
