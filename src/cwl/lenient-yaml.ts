/**
 * YAML as CWL documents are written for the reference runner's parser, which accepts a flow
 * collection (`[a, b,` … `c]`) continued on lines indented less than its key; the `yaml`
 * package, rightly by the YAML spec, does not. A document that fails to parse is tried once
 * more with such collections folded onto one line.
 */
import { parse } from 'yaml'

export function parseLenient(text: string): unknown {
  try {
    return parse(text, { maxAliasCount: 1000 })
  } catch (first) {
    const folded = foldFlowCollections(text)
    if (folded === text) throw first
    try {
      return parse(folded, { maxAliasCount: 1000 })
    } catch {
      throw first
    }
  }
}

/** Joins the lines of flow collections that span lines (quotes and comments respected). */
export function foldFlowCollections(text: string): string {
  let out = ''
  let depth = 0
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      out += c
      if (c === '\\' && quote === '"') out += text[++i] ?? ''
      else if (c === quote) quote = undefined
      continue
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i)
      i = (end < 0 ? text.length : end) - 1
      continue
    }
    if ((c === '"' || c === "'") && (depth > 0 || /[\s:[{,-]/.test(text[i - 1] ?? ' '))) quote = c
    if (c === '[' || c === '{') depth++
    else if ((c === ']' || c === '}') && depth > 0) depth--
    if (c === '\n' && depth > 0) {
      out += ' '
      while (text[i + 1] === ' ' || text[i + 1] === '\t') i++
      continue
    }
    out += c
  }
  return out
}
