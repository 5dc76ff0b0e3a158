/**
 * The simulator's placement is the rule engine's: the same endpoints, attributes, free space and
 * existing replica give the same chosen endpoints in a real rule (locks in the database) and in
 * a simulated one — with and without a weight attribute. Both database backends.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { Scenario } from '../src/contract/index.js'
import {
  addDid,
  addRule,
  addScope,
  attachDids,
  getEndpoint,
  listRuleLocks,
  registerReplicas,
} from '../src/data/index.js'
import { Simulation } from '../src/simulate/index.js'
import { describeEachBackend } from './support/backends.js'
import { uniqueScope } from './support/data-factories.js'
import { tempStorage, type TempStorage } from './support/posix-endpoints.js'

describeEachBackend('simulated placement equals the rule engine', (fixture) => {
  let storage: TempStorage
  before(() => {
    storage = tempStorage()
  })
  after(() => storage.cleanup())

  for (const weight of [null, 'w'] as const) {
    it(`chooses the same endpoints (weight ${weight ?? 'none'})`, async () => {
      const { ctx } = fixture()
      const tag = `T${Math.random().toString(36).slice(2, 9)}`
      // Four candidates differing in weight and free space; one already holds the data.
      const specs = [
        { w: 1, tb: 5 },
        { w: 3, tb: 2 },
        { w: 2, tb: 9 },
        { w: 3, tb: 1 },
      ]
      const endpoints = []
      for (const s of specs) {
        endpoints.push(
          await storage.add(
            ctx,
            { [tag]: true, w: s.w, type: 'disk' },
            { capacityBytes: s.tb * 1e12 },
          ),
        )
      }
      const scope = uniqueScope()
      await addScope(ctx, { name: scope })
      await addDid(ctx, { scope, name: 'ds', type: 'dataset' })
      const files = ['f1', 'f2']
      await registerReplicas(ctx, {
        endpoint: endpoints[0]!.name,
        replicas: files.map((name) => ({ scope, name, bytes: 1_000_000, adler32: '00000001' })),
      })
      await attachDids(
        ctx,
        { scope, name: 'ds' },
        { children: files.map((name) => ({ scope, name })) },
      )
      const holder = await getEndpoint(ctx, endpoints[0]!.name)

      const rule = await addRule(ctx, {
        scope,
        name: 'ds',
        copies: 2,
        expression: `${tag}=true`,
        grouping: 'dataset',
        ...(weight ? { weight } : {}),
      })
      const real = [...new Set((await listRuleLocks(ctx, rule.id)).map((l) => l.endpoint))].sort()

      const scenario: Scenario = {
        name: 'placement-check',
        title: 'placement check',
        sources: [],
        days: 1,
        sites: endpoints.map((e, i) => ({
          name: e.name,
          diskTB: specs[i]!.tb,
          usedTB: (e.name === holder.name ? holder.usedBytes : e.usedBytes) / 1e12,
          attributes: { [tag]: true, w: specs[i]!.w },
        })),
        communities: [{ name: 'test' }],
      }
      const sim = new Simulation(scenario)
      const simulated = sim
        .place(
          {
            key: 'test:ds',
            community: 'test',
            bytes: 2_000_000,
            files: 2,
            origin: holder.name,
            holders: new Set([holder.name]),
            createdHour: 0,
          },
          { expression: `${tag}=true`, copies: 2, weight },
        )
        .sort()
      assert.deepEqual(simulated, real)
      assert.ok(real.includes(holder.name), 'both keep the replica that exists')
    })
  }
})
