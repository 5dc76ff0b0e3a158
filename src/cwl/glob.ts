/** Output globs, relative to the tool's output folder: `*`, `?` and `[…]` within path parts. */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'

function partRegex(part: string): RegExp {
  let re = ''
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = part.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        re += `[${part
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Paths under `root` matching `pattern`, sorted; dot files match only a pattern naming them. */
export function glob(root: string, pattern: string): string[] {
  const absolute = path.isAbsolute(pattern) ? pattern : path.join(root, pattern)
  if (!/[*?[]/.test(pattern)) return existsSync(absolute) ? [path.normalize(absolute)] : []
  const start = path.isAbsolute(pattern) ? '/' : root
  const parts = path
    .relative(start, absolute)
    .split(path.sep)
    .filter((p) => p !== '')
  let current = [start]
  for (const part of parts) {
    if (part === '.' || !/[*?[]/.test(part)) {
      current = current.map((dir) => path.join(dir, part)).filter((p) => existsSync(p))
      continue
    }
    const re = partRegex(part)
    current = current.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((name) => re.test(name) && (!name.startsWith('.') || part.startsWith('.')))
          .map((name) => path.join(dir, name))
      } catch {
        return []
      }
    })
  }
  return current.sort()
}
