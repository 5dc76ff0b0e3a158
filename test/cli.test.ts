/** The `continuum` command against a real server: tables, --json, exit codes, help. */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Command } from 'commander'
import { buildProgram, commandEntries, requestedCommands } from '../src/cli/program.js'
import { openTestDatabase, type TestDatabase } from '../src/db/testing.js'
import { exitCodes, version } from '../src/platform/index.js'
import { runCli } from './support/cli.js'
import { uniqueName } from './support/factories.js'
import { adminGroup, startTestServer, type TestServer } from './support/server.js'

function walk(command: Command, prefix: string[] = []): Array<{ path: string; command: Command }> {
  const here = [...prefix, command.name()]
  return [{ path: here.join(' '), command }, ...command.commands.flatMap((c) => walk(c, here))]
}

describe('continuum CLI', () => {
  let database: TestDatabase
  let server: TestServer
  let env: Record<string, string>
  before(async () => {
    database = await openTestDatabase('pglite')
    server = await startTestServer(database)
    env = {
      CONTINUUM_SERVER: server.url,
      CONTINUUM_TOKEN: await server.mintToken({ sub: 'cli-admin', groups: [adminGroup] }),
      CONTINUUM_HOME: mkdtempSync(path.join(os.tmpdir(), 'continuum-cli-')),
    }
  })
  after(async () => {
    await server.close()
    await database.close()
  })

  it('prints its version', async () => {
    const r = await runCli(['--version'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout.trim(), version)
  })

  it('has --help with an example on every command', async () => {
    for (const { path: name, command } of walk(await buildProgram())) {
      let help = ''
      command.configureOutput({ writeOut: (s) => (help += s) })
      command.outputHelp()
      assert.match(help, /Examples?:\n {2}\$ (continuum|npm) /, `${name} --help shows an example`)
    }
  })

  it('describes each lazily loaded command as the command itself does', async () => {
    const program = await buildProgram()
    for (const entry of commandEntries) {
      const command = program.commands.find((c) => c.name() === entry.name)
      assert.equal(command?.description(), entry.description, entry.name)
      assert.deepEqual(command.aliases(), entry.aliases ?? [], entry.name)
    }
    assert.deepEqual(
      program.commands.map((c) => c.name()).filter((n) => n !== 'help'),
      commandEntries.map((e) => e.name),
    )
  })

  it('loads only the command it runs', async () => {
    const argv = (...words: string[]) => ['node', 'continuum', ...words]
    assert.deepEqual(requestedCommands(argv('--help')), [])
    assert.deepEqual(requestedCommands(argv('--server', 'http://x', 'catalog', 'infra')), [
      'catalog',
    ])
    assert.deepEqual(requestedCommands(argv('--json', '--log-level', 'warn', 'wf', 'ls')), ['wf'])
    assert.deepEqual(requestedCommands(argv('help', 'data')), ['data'])
    const program = await buildProgram(argv('--db', 'memory:', 'usage'))
    const usage = program.commands.find((c) => c.name() === 'usage')
    const catalog = program.commands.find((c) => c.name() === 'catalog')
    assert.ok(usage && usage.options.length > 0, 'usage is loaded with its options')
    assert.equal(catalog?.commands.length, 0, 'catalog is a placeholder')
  })

  it('shows the help of a command loaded on demand', async () => {
    const r = await runCli(['help', 'catalog'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /Usage: continuum catalog/)
    assert.match(r.stdout, /infra\|infrastructure/)
  })

  it("policy test and policy actions know the broker's action, workflows.task.submit", async () => {
    const args = ['--subject', 'alice', '--group', '/atlas', '--unattended']
    const resource = ['--resource', 'ComputeService::lumi-c', '--attr', 'name=lumi-c']
    const r = await runCli(
      ['policy', 'test', ...args, '--action', 'workflows.task.submit', ...resource],
      env,
    )
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^DENY: no policy permits this/)
    const actions = await runCli(['policy', 'actions'], env)
    assert.equal(actions.code, 0, actions.stderr)
    assert.match(actions.stdout, /^workflows\.task\.submit$/m)
    assert.match(actions.stdout, /^catalog\.infrastructure\.create$/m)
  })

  it('adds, lists, shows and removes infrastructures, in tables and in JSON', async () => {
    const name = uniqueName('cli')
    const add = await runCli(
      [
        'catalog',
        'infra',
        'add',
        name,
        '--title',
        'CLI Cluster',
        '--kind',
        'HPC',
        '--operator',
        'Test Centre',
        '--country',
        'FI',
      ],
      env,
    )
    assert.equal(add.code, 0, add.stderr)
    assert.match(add.stdout, new RegExp(`added infrastructure ${name}`))

    const ls = await runCli(['catalog', 'infra', 'ls', '--kind', 'HPC'], env)
    assert.equal(ls.code, 0, ls.stderr)
    const lines = ls.stdout.trim().split('\n')
    assert.match(lines[0] ?? '', /^NAME\s+KIND\s+COUNTRY\s+STATUS/)
    assert.ok(
      lines.some((l) => l.startsWith(name) && /\bHPC\b/.test(l) && /\bFI\b/.test(l)),
      ls.stdout,
    )

    const json = await runCli(['catalog', 'infra', 'ls', '--json', '-q', name], env)
    const items = JSON.parse(json.stdout) as Array<{ name: string; country: string }>
    assert.deepEqual(
      items.map((i) => [i.name, i.country]),
      [[name, 'FI']],
    )

    const show = await runCli(['catalog', 'infra', 'show', name], env)
    assert.match(show.stdout, /^country:\s+FI$/m)
    assert.match(show.stdout, /^operator:\s+Test Centre$/m)

    const update = await runCli(
      ['catalog', 'infra', 'update', name, '--status', 'retired', '--json'],
      env,
    )
    assert.equal((JSON.parse(update.stdout) as { status: string }).status, 'retired')

    const rm = await runCli(['catalog', 'infra', 'rm', name, 'no-such-infra'], env)
    assert.equal(rm.code, exitCodes.notFound, 'a failed item sets the exit code')
    assert.match(rm.stdout, new RegExp(`removed infrastructure ${name}`))
    assert.match(
      rm.stderr,
      /error INFRASTRUCTURE_NOT_FOUND: infrastructure 'no-such-infra' not found/,
    )
    const after = await runCli(['catalog', 'infra', 'show', name], env)
    assert.equal(after.code, exitCodes.notFound)
  })

  it('reports errors with catalogue codes and exit codes, as text or JSON', async () => {
    const missing = await runCli(['catalog', 'infra', 'show', 'nothing-here', '--json'], env)
    assert.equal(missing.code, exitCodes.notFound)
    const body = JSON.parse(missing.stdout) as { error: { code: string } }
    assert.equal(body.error.code, 'INFRASTRUCTURE_NOT_FOUND')

    const bad = await runCli(
      [
        'catalog',
        'infra',
        'add',
        'x1',
        '--title',
        'X',
        '--kind',
        'HPC',
        '--operator',
        'O',
        '--country',
        'XX',
      ],
      env,
    )
    assert.equal(bad.code, exitCodes.invalid)
    assert.match(bad.stderr, /error VALIDATION_FAILED: country: 'XX'/)

    const usage = await runCli(['catalog', 'infra', 'ls', '--kind', 'Quantum'], env)
    assert.equal(usage.code, exitCodes.invalid)
    assert.match(usage.stderr, /Allowed choices are HPC, HTC, Cloud, Data/)

    const nothing = await runCli(['catalog', 'infra', 'update', 'x1'], env)
    assert.equal(nothing.code, exitCodes.invalid)
    assert.match(nothing.stderr, /INVALID_ARGUMENT/)
  })

  it('says when the server cannot be reached, with a retryable exit code', async () => {
    const r = await runCli(['catalog', 'infra', 'ls'], {
      ...env,
      CONTINUUM_SERVER: 'http://127.0.0.1:9',
    })
    assert.equal(r.code, exitCodes.unavailable)
    assert.match(
      r.stderr,
      /error SERVER_UNREACHABLE: cannot reach the Continuum server at http:\/\/127\.0\.0\.1:9/,
    )
  })

  it('refuses a bad configuration value naming its source', async () => {
    const r = await runCli(['catalog', 'infra', 'ls'], { ...env, CONTINUUM_SERVER: 'not a url' })
    assert.equal(r.code, exitCodes.invalid)
    assert.match(r.stderr, /CONFIG_INVALID: CONTINUUM_SERVER/)
  })
})
