import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { it } from 'node:test'
import { openOutputFile } from './stage-out-file.js'

it('stages out regular files inside the run folder only', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'continuum-stage-out-'))
  const secret = path.join(mkdtempSync(path.join(os.tmpdir(), 'continuum-keys-')), 'issuer.json')
  writeFileSync(secret, '{"d":"private"}')
  writeFileSync(path.join(dir, 'result.txt'), 'counts')
  symlinkSync(secret, path.join(dir, 'issuer.json'))
  symlinkSync(path.dirname(secret), path.join(dir, 'keys'))
  mkdirSync(path.join(dir, 'sub'))
  writeFileSync(path.join(dir, 'sub', 'big'), Buffer.alloc(2048))

  const ok = await openOutputFile(dir, 'result.txt')
  assert.equal(ok.bytes, 6)
  await ok.handle.close()
  const refused = async (name: string, max?: number) =>
    assert.rejects(openOutputFile(dir, name, max), { code: 'STAGE_OUT_REFUSED' }, name)
  await refused('issuer.json') // a link to the server's key
  await refused('keys/issuer.json') // through a linked folder
  await refused('../issuer.json')
  await refused(secret)
  await refused('sub') // a folder
  await refused('sub/big', 1024) // larger than the limit
  await assert.rejects(openOutputFile(dir, 'missing'), { code: 'REFERENCE_NOT_FOUND' })
})
