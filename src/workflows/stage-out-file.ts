/**
 * What stage-out may upload from a job's folder: a regular file inside it, reached through no
 * symbolic link, of bounded size. A job controls its folder, so a link named like an output
 * (`did:atlas:issuer.json` → the server's key) would otherwise have the server's own power
 * upload whatever it points at into the federation.
 */
import { constants, realpathSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'

/** Largest output a stage-out uploads (1 TiB): a runaway job does not fill the federation. */
export const maxOutputBytes = 2 ** 40

export interface OutputFile {
  handle: FileHandle
  bytes: number
}

/** Opens `name` in `workdir` for upload, or throws STAGE_OUT_REFUSED / REFERENCE_NOT_FOUND. */
export async function openOutputFile(
  workdir: string,
  name: string,
  maxBytes = maxOutputBytes,
): Promise<OutputFile> {
  const refuse = (why: string) =>
    new ContinuumError('STAGE_OUT_REFUSED', `output ${name} is not staged out: ${why}`, {
      output: name,
    })
  if (path.isAbsolute(name) || name.split('/').includes('..')) {
    throw refuse('it must be a path inside the run folder')
  }
  const file = path.resolve(workdir, name)
  let folder: string
  try {
    folder = realpathSync(path.dirname(file))
  } catch {
    throw new ContinuumError('REFERENCE_NOT_FOUND', `output ${name} was not written`, {
      output: name,
    })
  }
  if (folder !== path.join(realpathSync(workdir), path.dirname(path.relative(workdir, file)))) {
    throw refuse('its folder is a symbolic link')
  }
  let handle: FileHandle
  try {
    // O_NOFOLLOW: a link is refused (ELOOP) by the kernel, not followed.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP') throw refuse('it is a symbolic link')
    throw new ContinuumError('REFERENCE_NOT_FOUND', `output ${name} was not written`, {
      output: name,
    })
  }
  const stat = await handle.stat()
  if (!stat.isFile() || stat.size > maxBytes) {
    await handle.close()
    throw refuse(stat.isFile() ? `it is larger than ${maxBytes} bytes` : 'it is not a regular file')
  }
  return { handle, bytes: stat.size }
}
