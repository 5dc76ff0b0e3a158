/**
 * The full reliability run of issue 7: a 1,000-task workflow (each task appends one line to a
 * file), the worker SIGKILLed at 20 random moments, and the database path cut once mid-run
 * (a TCP proxy between the workers and PostgreSQL is stopped and restarted; the shared server
 * itself is left alone). Needs PostgreSQL at $CONTINUUM_TEST_PG_URL.
 *   node --import tsx bench/workflow-kill.ts [tasks] [kills]
 */
import { openTestDatabase } from '../src/db/testing.js'
import { systemActor, systemClock } from '../src/platform/index.js'
import { runKillTest } from '../test/support/reliability.js'

const tasks = Number(process.argv[2] ?? 1000)
const kills = Number(process.argv[3] ?? 20)
const database = await openTestDatabase('postgres')
try {
  const r = await runKillTest({
    ctx: { db: database.db, clock: systemClock, actor: systemActor('bench') },
    databaseUrl: database.url,
    tasks,
    kills,
    leaseMs: 2000,
    restartDatabase: true,
    log: (l) => console.log(l),
  })
  console.log(
    `state=${r.state} lines=${r.lines.length} duplicates=${r.duplicates.length} missing=${r.missing} seconds=${r.seconds.toFixed(1)}`,
  )
  if (r.state !== 'succeeded' || r.duplicates.length > 0 || r.missing > 0) process.exitCode = 1
} finally {
  await database.close()
}
