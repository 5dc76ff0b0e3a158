// The local executor's launcher: a small process that forks jobs on request. Forking from the
// worker itself is slow once it holds a large heap (an embedded database): every fork copies
// its page tables. Requests and replies are JSON lines on stdin/stdout:
//   → {"id","argv","cwd","env"}   ← {"id","pid"}  ← {"id","exit"}  ← {"id","error"}
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`)

createInterface({ input: process.stdin }).on('line', (line) => {
  let job
  try {
    job = JSON.parse(line)
  } catch {
    return
  }
  const child = spawn(job.argv[0], job.argv.slice(1), {
    cwd: job.cwd,
    env: job.env,
    detached: true,
    stdio: 'ignore',
  })
  child.on('error', (err) => reply({ id: job.id, error: err.message }))
  child.on('exit', () => reply({ id: job.id, exit: true }))
  if (child.pid !== undefined) reply({ id: job.id, pid: child.pid })
})
// Jobs run in their own sessions and outlive the launcher; it ends when the worker closes stdin.
process.stdin.on('end', () => process.exit(0))
