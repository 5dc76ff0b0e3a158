import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { it } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { parse } from 'yaml'
import { readYamlTree, shippedDataDir } from '../landscape/index.js'
import { catalogJsonSchema, catalogJsonSchemaText } from './catalog-schema.js'

const schemaFile = new URL('../../data/schema/catalog.schema.json', import.meta.url)

it('the published JSON Schema is the one the code derives (UPDATE_SCHEMA=1 rewrites it)', () => {
  if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaFile, catalogJsonSchemaText())
  assert.equal(readFileSync(schemaFile, 'utf8'), catalogJsonSchemaText())
})

it('every shipped file validates against the published schema; quantities are allowed, junk is not', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  ;(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv)
  const validate = ajv.compile(catalogJsonSchema())
  for (const f of readYamlTree(shippedDataDir)) {
    assert.ok(validate(parse(f.content)), `${f.path}: ${ajv.errorsText(validate.errors)}`)
  }
  const svc = { name: 'x', title: 'x', infrastructure: 'y', batchSystem: 'slurm', cores: 1 }
  assert.ok(validate({ computeServices: [{ ...svc, maxWalltimeHours: '72 h' }] }))
  assert.ok(!validate({ computeServices: [{ ...svc, maxWalltimeHours: 'soon' }] }))
  assert.ok(!validate({ computeServices: [{ ...svc, cores: '12 h' }] }))
  assert.ok(!validate({ computeServices: [{ ...svc, colour: 'red' }] }))
})
