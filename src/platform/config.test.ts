import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig, redactUrl } from './config.js'
import { ContinuumError } from './errors.js'

function tempHome(config?: string): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'continuum-config-'))
  if (config !== undefined) writeFileSync(path.join(home, 'config.yaml'), config)
  return home
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof ContinuumError && err.code === 'CONFIG_INVALID' && pattern.test(err.message),
  )
}

describe('configuration', () => {
  it('uses defaults under the home folder when nothing is given', () => {
    const home = tempHome()
    const c = loadConfig({ home }, {})
    assert.equal(c.port, 8080)
    assert.equal(c.host, '127.0.0.1')
    assert.equal(c.db, `pglite:${path.join(home, 'db')}`)
    assert.equal(c.server, 'http://127.0.0.1:8080')
    assert.equal(c.token, undefined)
    assert.equal(c.sources.port, 'default')
    assert.equal(c.transferHistoryDays, 30)
  })

  it('reads the transfer history retention from the environment or the file, checked', () => {
    assert.equal(
      loadConfig({ home: tempHome() }, { CONTINUUM_TRANSFER_HISTORY_DAYS: '7' })
        .transferHistoryDays,
      7,
    )
    assert.equal(
      loadConfig({ home: tempHome('transferHistoryDays: 90\n') }, {}).transferHistoryDays,
      90,
    )
    rejects(
      () => loadConfig({ home: tempHome() }, { CONTINUUM_TRANSFER_HISTORY_DAYS: '0' }),
      /CONTINUUM_TRANSFER_HISTORY_DAYS: expected a positive integer/,
    )
    rejects(
      () => loadConfig({ home: tempHome('transferHistoryDays: forever\n') }, {}),
      /transferHistoryDays/,
    )
  })

  it('takes flag over environment over config file over default, for every setting', () => {
    const home = tempHome(
      'port: 7001\nserver: http://file.example:1\ntoken: from-file\ndb: "memory:"\n',
    )
    const fileOnly = loadConfig({ home }, {})
    assert.equal(fileOnly.port, 7001)
    assert.equal(fileOnly.token, 'from-file')
    assert.equal(fileOnly.sources.port, 'file')

    const env = {
      CONTINUUM_PORT: '7002',
      CONTINUUM_TOKEN: 'from-env',
      CONTINUUM_DB: 'pglite:/tmp/x',
    }
    const withEnv = loadConfig({ home }, env)
    assert.equal(withEnv.port, 7002)
    assert.equal(withEnv.token, 'from-env')
    assert.equal(withEnv.db, 'pglite:/tmp/x')
    assert.equal(withEnv.server, 'http://file.example:1', 'file still applies where env is silent')

    const withFlags = loadConfig({ home, port: 7003, token: 'from-flag' }, env)
    assert.equal(withFlags.port, 7003)
    assert.equal(withFlags.token, 'from-flag')
    assert.equal(withFlags.sources.port, 'flag')
  })

  it('reads the home folder from CONTINUUM_HOME and an explicit config file from CONTINUUM_CONFIG', () => {
    const home = tempHome('port: 7100\n')
    assert.equal(loadConfig({}, { CONTINUUM_HOME: home }).port, 7100)
    const other = path.join(tempHome(), 'other.yaml')
    writeFileSync(other, 'port: 7200\n')
    assert.equal(loadConfig({ home }, { CONTINUUM_CONFIG: other }).port, 7200)
    assert.equal(loadConfig({ home, config: other }, {}).port, 7200)
  })

  it('derives the default server URL from the port', () => {
    assert.equal(loadConfig({ home: tempHome(), port: 9999 }, {}).server, 'http://127.0.0.1:9999')
  })

  it('refuses bad values with the setting and its source named', () => {
    const home = tempHome()
    rejects(() => loadConfig({ home }, { CONTINUUM_PORT: 'eighty' }), /CONTINUUM_PORT/)
    rejects(() => loadConfig({ home, port: '70000' }, {}), /--port/)
    rejects(() => loadConfig({ home }, { CONTINUUM_DB: 'mysql://x' }), /CONTINUUM_DB/)
    rejects(() => loadConfig({ home, server: 'ftp://x' }, {}), /--server/)
    rejects(() => loadConfig({ home, logLevel: 'loud' }, {}), /logLevel/)
  })

  it('refuses unknown keys, non-scalar values and broken YAML in the config file', () => {
    rejects(() => loadConfig({ home: tempHome('prot: 1\n') }, {}), /unknown setting 'prot'/)
    rejects(
      () => loadConfig({ home: tempHome('port: [1, 2]\n') }, {}),
      /must be a string or number/,
    )
    rejects(() => loadConfig({ home: tempHome('port: : :\n  - x') }, {}), /not valid YAML/)
    rejects(() => loadConfig({ home: tempHome('- a\n- b\n') }, {}), /mapping/)
    rejects(
      () => loadConfig({ home: tempHome(), config: '/nonexistent/continuum.yaml' }, {}),
      /cannot read/,
    )
  })

  it('hides passwords in database URLs', () => {
    assert.equal(redactUrl('postgres://user:s3cret@db:5432/x'), 'postgres://user:***@db:5432/x')
    assert.equal(redactUrl('postgres://db:5432/x'), 'postgres://db:5432/x')
    const home = tempHome()
    assert.throws(
      () => loadConfig({ home, db: 'mysql://user:s3cret@db/x' }, {}),
      (err: unknown) => err instanceof ContinuumError && !err.message.includes('s3cret'),
    )
  })
})
