/**
 * Reads src/db/schema.ts with the TypeScript compiler API: for each table of the `DB` interface,
 * its columns as Kysely selects them — nullable or not, `Generated` (the database fills it in)
 * or not, and the family of the TypeScript type — to compare with information_schema.
 */
import { readFileSync } from 'node:fs'
import ts from 'typescript'

export type TypeFamily = 'number' | 'string' | 'boolean' | 'date' | 'json' | 'array' | 'unknown'

export interface DeclaredColumn {
  /** 'unknown' for `unknown`/`any`, which say nothing about null. */
  nullable: boolean | 'unknown'
  generated: boolean
  family: TypeFamily
}

export type DeclaredSchema = Map<string, Map<string, DeclaredColumn>>

export function readDeclaredSchema(file: string): DeclaredSchema {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const interfaces = new Map<string, ts.InterfaceDeclaration>()
  const aliases = new Map<string, ts.TypeNode>()
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement)
    if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type)
  }
  const db = interfaces.get('DB')
  if (!db) throw new Error(`${file} has no interface DB`)
  const schema: DeclaredSchema = new Map()
  for (const table of properties(db)) {
    const name = table.type && ts.isTypeReferenceNode(table.type) && table.type.typeName
    const declaration = name && ts.isIdentifier(name) ? interfaces.get(name.text) : undefined
    if (!declaration) throw new Error(`DB.${propertyName(table)}: no table interface found`)
    const columns = new Map<string, DeclaredColumn>()
    for (const column of properties(declaration, interfaces)) {
      const c: DeclaredColumn = { nullable: false, generated: false, family: 'unknown' }
      if (column.type) describeType(column.type, c, aliases)
      columns.set(propertyName(column), c)
    }
    schema.set(propertyName(table), columns)
  }
  return schema
}

/** The interface's own properties and those of the interfaces it extends. */
function properties(
  node: ts.InterfaceDeclaration,
  interfaces?: Map<string, ts.InterfaceDeclaration>,
): ts.PropertySignature[] {
  const inherited = (node.heritageClauses ?? []).flatMap((clause) =>
    clause.types.flatMap((t) => {
      const base = ts.isIdentifier(t.expression) ? interfaces?.get(t.expression.text) : undefined
      if (!base) throw new Error(`${node.name.text} extends an interface not in the file`)
      return properties(base, interfaces)
    }),
  )
  return [...inherited, ...node.members.filter(ts.isPropertySignature)]
}

function propertyName(node: ts.PropertySignature): string {
  return ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : '?'
}

/** Folds the select type of `node` into `c` (Generated and ColumnType unwrapped, aliases followed). */
function describeType(node: ts.TypeNode, c: DeclaredColumn, aliases: Map<string, ts.TypeNode>) {
  if (ts.isUnionTypeNode(node)) {
    for (const member of node.types) describeType(member, c, aliases)
    return
  }
  if (ts.isLiteralTypeNode(node)) {
    if (node.literal.kind === ts.SyntaxKind.NullKeyword) c.nullable ||= true
    else if (ts.isStringLiteral(node.literal)) c.family = 'string'
    return
  }
  if (ts.isArrayTypeNode(node)) {
    c.family = 'array'
    return
  }
  if (ts.isTypeLiteralNode(node)) {
    c.family = 'json'
    return
  }
  switch (node.kind) {
    case ts.SyntaxKind.NumberKeyword:
      c.family = 'number'
      return
    case ts.SyntaxKind.StringKeyword:
      c.family = 'string'
      return
    case ts.SyntaxKind.BooleanKeyword:
      c.family = 'boolean'
      return
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.AnyKeyword:
      c.nullable = 'unknown'
      return
  }
  if (!ts.isTypeReferenceNode(node) || !ts.isIdentifier(node.typeName)) return
  const name = node.typeName.text
  const [first] = node.typeArguments ?? []
  if (name === 'Generated' && first) {
    c.generated = true
    describeType(first, c, aliases)
  } else if (name === 'ColumnType' && first) {
    describeType(first, c, aliases)
  } else if (name === 'Date') {
    c.family = 'date'
  } else if (name === 'Record') {
    c.family = 'json'
  } else if (name === 'Array' || name === 'ReadonlyArray') {
    c.family = 'array'
  } else {
    const alias = aliases.get(name)
    if (alias) describeType(alias, c, aliases)
  }
}

/** The PostgreSQL data types (information_schema.columns.data_type) each family may have. */
export const columnTypes: Record<TypeFamily, readonly string[] | 'any'> = {
  number: ['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision'],
  string: ['text', 'character varying', 'character', 'uuid', 'inet', 'tsvector', 'USER-DEFINED'],
  boolean: ['boolean'],
  date: ['timestamp with time zone'],
  json: ['jsonb', 'json'],
  array: ['ARRAY', 'jsonb', 'json'],
  unknown: 'any',
}
