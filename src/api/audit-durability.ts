/**
 * A denial is on disk before its answer leaves: the 403 waits for the audit log's write, so a
 * crash right after the answer loses none (issue 16 lost 14 of 40 to a SIGKILL). Allowed
 * decisions stay batched (they are the volume); unauthenticated requests are counted per window
 * and may lose at most one window (10 s) per address and route at a crash. While the database
 * is away the write is held in memory instead (docs/operations.md), and the answer goes anyway.
 */
import type { FastifyInstance } from 'fastify'
import type { Security } from './security.js'

export function installDurableDenials(app: FastifyInstance, security: Security): void {
  if (!security.gate) return
  // The callback form: the other answers pass through without a promise each.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode !== 403) return done(null, payload)
    security.audit.flush().then(
      () => done(null, payload),
      (err: Error) => done(err),
    )
  })
}
