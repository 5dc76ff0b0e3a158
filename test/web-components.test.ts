/** Dashboard components rendered to markup in Node (no browser): the task graph and the map. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { Dag } from '../web/src/components/dag.js'
import { EuropeMap } from '../web/src/components/europe-map.js'

describe('task graph', () => {
  it('draws one node per task, coloured by state, and one edge per dependency', () => {
    const html = renderToStaticMarkup(
      createElement(Dag, {
        label: 'graph',
        nodes: [
          { id: 'a[0]', label: 'a[0]', state: 'done' },
          { id: 'a[1]', label: 'a[1]', state: 'running' },
          { id: 'b', label: 'b', state: 'waiting' },
        ],
        edges: [
          ['a[0]', 'b'],
          ['a[1]', 'b'],
          ['gone', 'b'],
        ],
        selected: 'b',
        onSelect: () => undefined,
      }),
    )
    assert.equal(html.match(/class="dag-node/g)?.length, 3)
    assert.equal(
      html.match(/class="dag-edge"/g)?.length,
      2,
      'an edge to an unknown task is left out',
    )
    assert.match(html, /aria-label="task a\[1\]: running"/)
    assert.match(html, /class="dag-node tone-good"[^>]*data-state="done"/)
    assert.match(html, /class="dag-node tone-idle selected"[^>]*aria-pressed="true"/)
  })
})

describe('map of Europe', () => {
  it('names each country with its count and lists places off the grid', () => {
    const html = renderToStaticMarkup(
      createElement(EuropeMap, {
        counts: { DE: 4, EU: 2, XK: 1 },
        selected: 'DE',
        onSelect: () => undefined,
      }),
    )
    assert.match(html, /aria-label="DE: 4 infrastructures" aria-pressed="true"/)
    assert.match(html, /aria-label="pan-European: 2 infrastructures"/)
    assert.match(
      html,
      /aria-label="FR: 0 infrastructures"[^>]*tabindex="-1"|tabindex="-1"[^>]*aria-label="FR: 0/,
    )
    assert.match(html, /Elsewhere: XK \(1\)/)
  })
})
