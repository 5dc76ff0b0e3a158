#!/usr/bin/env node
// `npm run db:checksums`: records the sha256 of every new migration in
// src/db/migrations/checksums.json. A landed migration is never edited (a new file changes the
// schema), so a recorded checksum is never rewritten here: a changed one is reported and the
// script fails. src/db/migration-checksums.test.ts checks the file against the migrations.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/db/migrations')
const file = path.join(dir, 'checksums.json')
const recorded = JSON.parse(readFileSync(file, 'utf8'))
const sha256 = (name) =>
  createHash('sha256')
    .update(readFileSync(path.join(dir, name)))
    .digest('hex')

let changed = 0
for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort()) {
  const sum = sha256(name)
  const known = recorded.migrations[name]
  if (known === undefined) {
    recorded.migrations[name] = sum
    console.log(`registered ${name} ${sum}`)
  } else if (known !== sum) {
    changed++
    console.error(`${name} changed after it landed: write a new migration instead`)
  }
}
recorded.migrations = Object.fromEntries(Object.entries(recorded.migrations).sort())
writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`)
process.exit(changed ? 1 : 0)
