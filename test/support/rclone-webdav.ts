/**
 * A real rclone (Debian rclone 1.60) serving a temporary folder over WebDAV on a random loopback
 * port, stopped by process id: a server that, unlike nginx and XrdHttp, makes no parent folders
 * for a PUT (it answers 404) and wants them made with MKCOL one level at a time (409 otherwise).
 * Tests skip locally when rclone is absent and fail under CI=true.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort, waitForPort } from './nginx.js'

const rcloneBinary = '/usr/bin/rclone'

export interface RcloneWebdav {
  url: string
  root: string
  stop(): Promise<void>
}

/** Why rclone WebDAV tests cannot run here, or false. */
export function rcloneSkipReason(): string | false {
  if (existsSync(rcloneBinary)) return false
  const reason = `rclone not installed: ${rcloneBinary}`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: these tests must run)`)
  return reason
}

export async function startRcloneWebdav(): Promise<RcloneWebdav> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-rclone-'))
  const port = await freePort()
  const log = path.join(os.tmpdir(), `${path.basename(root)}.log`)
  const child = spawn(
    rcloneBinary,
    [
      'serve',
      'webdav',
      root,
      '--addr',
      `127.0.0.1:${port}`,
      '--log-file',
      log,
      '--config',
      '/dev/null',
    ],
    { stdio: 'ignore' },
  )
  await waitForPort(port, child, log)
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(root, { recursive: true, force: true })
      rmSync(log, { force: true })
    },
  }
}
