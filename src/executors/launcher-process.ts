/**
 * Starting the local executor's launcher (launcher.js) and reading its replies. The launcher
 * is unref'd with its pipes, so it never keeps a finished worker (or test) alive.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** One reply of the launcher about one job. */
export interface LauncherReply {
  id: string
  started?: boolean
  pid?: number
  exit?: boolean
  error?: string
  exists?: boolean
}

const launcherPath = fileURLToPath(new URL('./launcher.js', import.meta.url))

/** `helper`: the site's sandbox helper, which the launcher starts with its first job for it. */
export function startLauncher(
  capacity: { cores: number; memoryMb: number },
  helper: string | null,
  onReply: (reply: LauncherReply) => void,
): ChildProcess {
  const args = [launcherPath, String(capacity.cores), String(capacity.memoryMb)]
  const launcher = spawn(process.execPath, helper ? [...args, helper] : args, {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  launcher.unref()
  ;(launcher.stdin as unknown as { unref?: () => void }).unref?.()
  ;(launcher.stdout as unknown as { unref?: () => void }).unref?.()
  createInterface({ input: launcher.stdout as NodeJS.ReadableStream }).on('line', (line) =>
    onReply(JSON.parse(line) as LauncherReply),
  )
  return launcher
}
