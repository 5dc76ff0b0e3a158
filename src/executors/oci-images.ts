/**
 * Container images for local jobs, run the way Apptainer runs them on HPC sites: no daemon and
 * no pulls. A site keeps an image store — a folder of OCI image layouts (`<store>/<name>/`, as
 * `umoci` and `skopeo copy … oci:` write them) or OCI archives (`<store>/<name>.tar`). A task's
 * `docker://alpine:3.19`, `oci:alpine:3.19` or `alpine:3.19` names image `alpine`, tag `3.19`
 * there (the registry host and `library/` of a Docker reference are ignored: nothing is pulled).
 * Each image is unpacked once per manifest digest, with `umoci raw unpack --rootless`, into a
 * cache; the sandbox then mounts that root file system read-only as the job's `/`.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { ContinuumError } from '../platform/index.js'

const run = promisify(execFile)

export interface ImageRef {
  /** Path below the store, e.g. `alpine` or `lofar/linc`. */
  name: string
  tag: string
}

const segment = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
/** `registry.example.org`, `host:5000`, `localhost`: a Docker reference's first part. */
const registryHost = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9-]+:\d+|localhost)(?::\d+)?$/

/** Parses an image reference; anything that could leave the store is refused. */
export function parseImageRef(reference: string): ImageRef {
  let rest = reference.trim()
  for (const prefix of ['docker://', 'oci:']) {
    if (rest.startsWith(prefix)) rest = rest.slice(prefix.length)
  }
  if (rest.includes('@')) {
    throw imageError(reference, 'digest references are not supported; name a tag')
  }
  const colon = rest.lastIndexOf(':')
  const slash = rest.lastIndexOf('/')
  const [repo, tag] =
    colon > slash ? [rest.slice(0, colon), rest.slice(colon + 1)] : [rest, 'latest']
  let parts = repo.split('/')
  // A registry host (has a dot or a port, or is localhost) and Docker Hub's `library/`.
  if (parts.length > 1 && registryHost.test(parts[0] as string)) parts = parts.slice(1)
  if (parts.length > 1 && parts[0] === 'library') parts = parts.slice(1)
  if (parts.length === 0 || !parts.every((p) => segment.test(p)) || !tagPattern.test(tag)) {
    throw imageError(reference, 'not an image reference (name[:tag], lower case)')
  }
  return { name: parts.join('/'), tag }
}

/** Where an image's layout is, and the digest of the manifest its tag names. */
export interface ResolvedImage {
  reference: string
  layout: string
  tag: string
  digest: string
}

/**
 * Finds an image in the store. An OCI archive is extracted into the cache as a layout first
 * (once per archive content, keyed by its size and modification time).
 */
export async function resolveImage(
  store: string,
  cache: string,
  reference: string,
): Promise<ResolvedImage> {
  const ref = parseImageRef(reference)
  let layout = path.join(store, ref.name)
  const archive = `${layout}.tar`
  if (!existsSync(path.join(layout, 'index.json'))) {
    if (!existsSync(archive)) {
      throw imageError(reference, `not in the site's image store (${store})`)
    }
    const stat = statSync(archive)
    layout = path.join(
      cache,
      'layouts',
      `${ref.name.replaceAll('/', '_')}-${stat.size}-${Math.floor(stat.mtimeMs)}`,
    )
    if (!existsSync(path.join(layout, 'index.json'))) {
      const temporary = `${layout}.${process.pid}.${Date.now()}.tmp`
      mkdirSync(temporary, { recursive: true, mode: 0o755 })
      try {
        await run('tar', [
          '-xf',
          archive,
          '-C',
          temporary,
          '--no-same-owner',
          '--no-same-permissions',
        ])
        renameInto(temporary, layout)
      } finally {
        rmSync(temporary, { recursive: true, force: true })
      }
    }
  }
  const index = readIndex(layout, reference)
  const manifest = index.manifests?.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref.tag,
  )
  if (
    !manifest ||
    typeof manifest.digest !== 'string' ||
    !/^sha256:[0-9a-f]{64}$/.test(manifest.digest)
  ) {
    throw imageError(reference, `tag ${ref.tag} is not in the image store`)
  }
  return { reference, layout, tag: ref.tag, digest: manifest.digest }
}

const unpacking = new Map<string, Promise<string>>()

/**
 * The image's root file system, unpacked once per manifest digest. Concurrent jobs of one
 * image wait for one unpack; processes race safely (each unpacks aside, one rename wins).
 */
export function unpackedRoot(cache: string, image: ResolvedImage): Promise<string> {
  const root = path.join(cache, 'roots', image.digest.replace(':', '-'))
  const rootfs = path.join(root, 'rootfs')
  if (existsSync(rootfs)) return Promise.resolve(rootfs)
  let pending = unpacking.get(root)
  if (!pending) {
    pending = unpack(image, root)
      .then(() => rootfs)
      .finally(() => unpacking.delete(root))
    unpacking.set(root, pending)
  }
  return pending
}

async function unpack(image: ResolvedImage, root: string): Promise<void> {
  mkdirSync(path.dirname(root), { recursive: true, mode: 0o755 })
  const temporary = `${root}.${process.pid}.${Date.now()}.tmp`
  try {
    mkdirSync(temporary, { mode: 0o755 })
    // The image's own file modes, not the server's umask (077): the job's account must be
    // able to read and run what the image holds.
    const target = path.join(temporary, 'rootfs')
    await run('/bin/sh', [
      '-c',
      'umask 022 && exec umoci raw unpack --rootless --image "$1" "$2"',
      'unpack',
      `${image.layout}:${image.tag}`,
      target,
    ]).catch((cause: unknown) => {
      throw imageError(image.reference, `could not be unpacked: ${stderrOf(cause)}`)
    })
    renameInto(temporary, root)
  } finally {
    rmSync(temporary, { recursive: true, force: true })
  }
}

/** Renames a finished folder into place; if another process got there first, keeps theirs. */
function renameInto(from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err
  }
}

interface OciIndex {
  manifests?: Array<{ digest?: unknown; annotations?: Record<string, string> }>
}

function readIndex(layout: string, reference: string): OciIndex {
  try {
    return JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as OciIndex
  } catch (cause) {
    throw imageError(reference, `its layout's index.json is unreadable (${String(cause)})`)
  }
}

function stderrOf(cause: unknown): string {
  const stderr = (cause as { stderr?: unknown }).stderr
  const text = typeof stderr === 'string' && stderr.trim() ? stderr : String(cause)
  return text.trim().split('\n').slice(-3).join(' ').slice(0, 500)
}

function imageError(reference: string, why: string): ContinuumError {
  return new ContinuumError('IMAGE_UNAVAILABLE', `image ${reference}: ${why}`, { image: reference })
}
