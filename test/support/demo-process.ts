/** `continuum demo` in a child process on a random port, with its own CONTINUUM_HOME. */
import { spawn, type ChildProcess } from 'node:child_process'
import { ContinuumClient, deviceLogin } from '../../src/client/index.js'
import { binPath } from './cli.js'

export interface DemoProcess {
  child: ChildProcess
  url: string
  output: () => string
  stop: () => Promise<number | null>
}

export function startDemo(home: string, env: Record<string, string> = {}): Promise<DemoProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, 'demo', '--port', '0'], {
      // Workflows without a workdir write their outputs to the server's working directory.
      cwd: home,
      env: { ...process.env, CONTINUUM_HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const stop = () =>
      new Promise<number | null>((done) => {
        if (child.exitCode !== null) return done(child.exitCode)
        child.removeAllListeners('exit')
        child.on('exit', (code) => done(code))
        child.kill('SIGTERM')
      })
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /running at (http:\/\/\S+)/.exec(out)
      if (m?.[1]) resolve({ child, url: m[1], output: () => out, stop })
    })
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)))
  })
}

/** Logs in at the demo's built-in issuer with the device flow, approving as a demo user. */
export async function loginAsDemoUser(url: string, user = 'admin'): Promise<ContinuumClient> {
  let approval: Promise<unknown> = Promise.resolve()
  const token = await deviceLogin({
    issuer: url,
    clientId: 'continuum-cli',
    prompt: (authorization) => {
      approval = fetch(`${url}/auth/device`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user_code: authorization.user_code, user }).toString(),
      })
    },
    wait: async () => {
      await approval
    },
  })
  return new ContinuumClient({ server: url, token: token.access_token })
}
