/**
 * Smoke runs of the transfer benchmarks at tiny sizes, so that they keep working: each starts
 * its real servers and peers (xrootd, nginx, xrdcp, curl, rclone) and prints its ratios.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, it } from 'node:test'
import { nginxSkipReason } from './support/nginx.js'
import { xrootdSkipReason } from './support/xrootd.js'

function skipReason(): string | false {
  const missing = ['/usr/bin/rclone', '/usr/bin/curl'].filter((b) => !existsSync(b))
  if (missing.length) {
    const reason = `benchmark peers not installed: ${missing.join(', ')}`
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: must run)`)
    return reason
  }
  return nginxSkipReason() || xrootdSkipReason()
}

const skip = skipReason()

function bench(...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  })
}

describe('transfer benchmarks (smoke)', { skip }, () => {
  it('bench/transfer-1gib.ts runs every peer and prints ratios', () => {
    const out = bench('bench/transfer-1gib.ts', '4')
    for (const line of ['xrdcp', 'continuum copyVerified', 'curl -T', 'rclone copyto', 'vs cp']) {
      assert.match(out, new RegExp(line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), out)
    }
  })

  it('bench/transfer-small-files.ts copies with rclone and Continuum and prints the ratio', () => {
    const out = bench('bench/transfer-small-files.ts', '20', '64', '4')
    assert.match(out, /× rclone/, out)
  })
})
