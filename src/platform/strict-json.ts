/**
 * JSON read as JSON (JSON.parse semantics, nothing more lenient), with positions: a syntax
 * error carries the line and column of the offending character, and a valid document can be
 * walked for the position of every value and key, so later checks can point into the text.
 */

/** A JSON syntax error at `line`:`column` (1-based; columns count UTF-16 units). */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message)
    this.name = 'JsonSyntaxError'
  }
}

/** Maps an offset in `text` to its [line, column], both 1-based. */
export function lineColumnOf(text: string): (offset: number) => [number, number] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (offset) => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return [lo + 1, offset - starts[lo]! + 1]
  }
}

// A byte-order mark is not JSON whitespace; it becomes a space so offsets stay the same.
const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text)

/** JSON.parse, with a syntax error turned into a JsonSyntaxError that says where. */
export function parseJsonStrict(text: string): unknown {
  const source = withoutBom(text)
  try {
    return JSON.parse(source) as unknown
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err
    const offset = Math.min(errorOffset(err.message, source), source.length)
    const [line, column] = lineColumnOf(source)(offset)
    const message = err.message
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s*in JSON at position \d+/, '')
      .replace(/^(Unexpected token '[\s\S]'), [\s\S]*$/, '$1')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of input')
    throw new JsonSyntaxError(message, offset, line, column)
  }
}

export type JsonPath = Array<string | number>

/**
 * Walks a document that parseJsonStrict accepted and reports where each value starts
 * (`onValue`) and where each object key starts (`onKey`). The value's depth must already be
 * bounded (checkValueLimits): the walk recurses once per level.
 */
export function walkJsonPositions(
  text: string,
  onValue: (path: JsonPath, offset: number) => void,
  onKey: (path: JsonPath, key: string, offset: number) => void,
): void {
  const src = withoutBom(text)
  let i = 0
  const space = () => {
    for (let c = src[i]; c === ' ' || c === '\t' || c === '\n' || c === '\r'; c = src[++i]);
  }
  const string = (): string => {
    const start = i++
    while (src[i] !== '"') i += src[i] === '\\' ? 2 : 1
    i++
    return JSON.parse(src.slice(start, i)) as string
  }
  const value = (path: JsonPath): void => {
    space()
    onValue(path, i)
    const c = src[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      space()
      if (src[i] === close) {
        i++
        return
      }
      for (let n = 0; ; n++) {
        if (c === '{') {
          space()
          const at = i
          const key = string()
          onKey(path, key, at)
          space()
          i++ // the colon
          value([...path, key])
        } else value([...path, n])
        space()
        if (src[i++] !== ',') return
      }
    }
    if (c === '"') string()
    else while (i < src.length && !',]} \t\n\r'.includes(src[i]!)) i++
  }
  value([])
}

/**
 * Where V8's message says the error is: "at position N", or for an unexpected token a snippet
 * of the source (`..."` + the ten characters before it + …), or the whole short source.
 */
function errorOffset(message: string, source: string): number {
  const at = /at position (\d+)/.exec(message)
  if (at) return Number(at[1])
  const token = /^Unexpected token '([\s\S])', (\.\.\.)?"/.exec(message)
  if (!token) return source.length
  if (token[2]) {
    const snippet = message.slice(token[0].length).replace(/"(\.\.\.)? is not valid JSON$/, '')
    const start = source.indexOf(snippet)
    return start === -1 ? source.length : start + 10
  }
  // The whole source was shown: the first such character outside a string.
  let inString = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === token[1]) return i
  }
  return source.length
}
