import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { assertWorkdirAllowed } from './workdir-policy.js'

it('lets clients name only real folders under the roots, never the server home', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-home-'))
  for (const d of ['keys', 'db', 'workflows/mine']) {
    mkdirSync(path.join(home, d), { recursive: true })
  }
  symlinkSync(path.join(home, 'keys'), path.join(home, 'workflows', 'link'))
  const policy = { roots: [home], protectedPaths: [path.join(home, 'keys'), path.join(home, 'db')] }
  assertWorkdirAllowed(path.join(home, 'workflows', 'mine'), policy)
  // Even a site that lets clients choose anywhere never hands out system folders.
  for (const bad of ['/etc', '/usr/lib', '/']) {
    assert.throws(
      () => assertWorkdirAllowed(bad, { roots: ['/'], protectedPaths: [] }),
      (err: Error & { code?: string }) => err.code === 'WORKDIR_REFUSED',
      bad,
    )
  }
  for (const bad of [
    path.join(home, 'keys'),
    path.join(home, 'db'),
    home, // holds the keys
    path.join(home, 'workflows', 'link'),
    '/etc',
  ]) {
    assert.throws(
      () => assertWorkdirAllowed(bad, policy),
      (err: Error & { code?: string }) => err.code === 'WORKDIR_REFUSED',
      bad,
    )
  }
})
