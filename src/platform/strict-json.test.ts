import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  JsonSyntaxError,
  parseJsonStrict,
  walkJsonPositions,
  type JsonPath,
} from './strict-json.js'

describe('strict JSON', () => {
  it('parses what JSON.parse parses', () => {
    assert.deepEqual(parseJsonStrict('\ufeff{"a": [1, "x\\"y"]}'), { a: [1, 'x"y'] })
  })

  it('refuses what only YAML would accept, saying where', () => {
    for (const [text, line, column] of [
      ['{\n  "a": 1,\n}', 3, 1],
      ["{'a': 1}", 1, 2],
      ['{"a": 1}\n# comment', 2, 1],
      ['{\n  "a": [1, 2', 2, 13],
      ['a: 1', 1, 1],
    ] as const) {
      assert.throws(
        () => parseJsonStrict(text),
        (e: JsonSyntaxError) =>
          e instanceof JsonSyntaxError && e.line === line && e.column === column,
        text,
      )
    }
  })

  it('reports where every value and key starts', () => {
    const text = '{"a": [1, {"b": "c,]"}],\n "d": null}'
    const values: Array<[string, number]> = []
    const keys: string[] = []
    walkJsonPositions(
      text,
      (path: JsonPath, at) => values.push([path.join('/'), at]),
      (path, key, at) => keys.push(`${path.join('/')}:${key}@${at}`),
    )
    assert.deepEqual(values, [
      ['', 0],
      ['a', 6],
      ['a/0', 7],
      ['a/1', 10],
      ['a/1/b', 16],
      ['d', 31],
    ])
    assert.deepEqual(keys, [':a@1', 'a/1:b@11', ':d@26'])
  })
})

it('locates an unexpected token in long and short sources', () => {
  const long = `{"alpha": 1, "beta": x, ${'"g": 3, '.repeat(10)}"z": 0}`
  assert.throws(
    () => parseJsonStrict(long),
    (e: JsonSyntaxError) =>
      e.column === long.indexOf('x') + 1 && e.message === "Unexpected token 'x'",
  )
  assert.throws(
    () => parseJsonStrict('{"a}": tru}'),
    (e: JsonSyntaxError) => e.column === 11,
  )
})
