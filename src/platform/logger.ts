/**
 * Structured JSON logs (pino). Secrets never reach a log line: authorization headers, cookies,
 * tokens, passwords and keys are redacted by path, wherever they are nested.
 */
import { pino, type Logger, type DestinationStream } from 'pino'
import type { LogLevel } from './config.js'

export type { Logger }

const secretKeys = ['authorization', 'cookie', 'set-cookie', 'token', 'access_token', 'refresh_token', 'id_token', 'password', 'secret', 'client_secret', 'private_key', 'privateKey', 'device_code']

export const redactPaths = [
  ...secretKeys.map((k) => `req.headers["${k}"]`),
  ...secretKeys.map((k) => `headers["${k}"]`),
  ...secretKeys.map((k) => `["${k}"]`),
  ...secretKeys.map((k) => `*["${k}"]`),
  ...secretKeys.map((k) => `*.*["${k}"]`),
]

export function createLogger(options: { level?: LogLevel; name?: string } = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'continuum',
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  )
}

/** A logger that writes nothing; for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' })
