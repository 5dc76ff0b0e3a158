/**
 * A real S3-compatible server (s3rver from npm, in its own process) on a random loopback port,
 * with its objects in a temporary folder, stopped by process id. s3rver accepts SigV4 requests
 * but checks only the access key id, not the signature (see docs/storage-protocols.md).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import type { S3Credentials } from '../../src/transfers/index.js'
import { freePort, waitForPort } from './nginx.js'

export interface S3Server {
  /** s3+http://127.0.0.1:PORT — append `/bucket/key`. */
  url: string
  hostPort: string
  /** Buckets created at start-up. */
  buckets: string[]
  credentials: S3Credentials
  /** Where s3rver keeps objects (bucket folders). */
  directory: string
  stop(): Promise<void>
}

export async function startS3(buckets: string[] = ['continuum']): Promise<S3Server> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'continuum-s3-'))
  const port = await freePort()
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js')
  const child = spawn(
    process.execPath,
    [
      bin,
      '-d',
      directory,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '--silent',
      '--no-vhost-buckets',
      ...buckets.flatMap((b) => ['--configure-bucket', b]),
    ],
    { stdio: 'ignore' },
  )
  await waitForPort(port, child, '(s3rver prints nothing with --silent)')
  return {
    url: `s3+http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    buckets,
    // s3rver's built-in account.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    directory,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
