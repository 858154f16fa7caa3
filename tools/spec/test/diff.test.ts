import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { type Change, type ChangeKind, diffSpecs, formatDiffJson, formatDiffText } from '../src/diff.js'
import type { JsonObject } from '../src/util.js'
import { operationKeys, parseYamlText, sharedSpec } from './helpers.js'

describe('diffSpecs on the real 2.22.0 → 2.24.0 specs', async () => {
  const oldDoc = parseYamlText(await readFile(sharedSpec('2.22.0'), 'utf8'))
  const newDoc = parseYamlText(await readFile(sharedSpec('2.24.0'), 'utf8'))
  const diff = diffSpecs(oldDoc, newDoc)

  it('lists exactly the operations added, and none removed', () => {
    const before = new Set(operationKeys(oldDoc))
    const after = new Set(operationKeys(newDoc))
    const expectedAdded = [...after].filter((k) => !before.has(k)).sort()
    const expectedRemoved = [...before].filter((k) => !after.has(k))
    expect(diff.operations.added.map((o) => o.key).sort()).toEqual(expectedAdded)
    expect(expectedAdded).toHaveLength(10)
    expect(diff.summary.operationsAdded).toBe(10)
    expect(expectedRemoved).toEqual([])
    expect(diff.operations.removed).toEqual([])
    expect(diff.operations.added.every((o) => !o.breaking)).toBe(true)
  })

  it('reports the new enum value of a shared parameter on every operation using it', () => {
    const users = diff.operations.changed.find((o) => o.key === 'GET /organizations/users')
    expect(users?.changes).toContainEqual(
      expect.objectContaining({
        kind: 'enum-value-added',
        breaking: false,
        location: 'parameter query "role" (items)',
      }),
    )
  })

  it('formats a text header with versions and counts, and marks every change line', () => {
    const text = formatDiffText(diff)
    const [title, counts] = text.split('\n')
    expect(title).toBe('Flat API 2.22.0 → 2.24.0')
    expect(counts).toMatch(/^operations: 10 added, 0 removed, \d+ changed; schemas: \d+ added, 0 removed, \d+ changed;/)
    const changeLines = text.split('\n').filter((line) => /^ {2,4}(BREAKING|non-breaking)/.test(line))
    expect(changeLines.length).toBe(diff.summary.breaking + diff.summary.nonBreaking)
  })

  it('prints JSON with a stable key order', () => {
    const json = formatDiffJson(diff)
    expect(json).toBe(formatDiffJson(diffSpecs(oldDoc, newDoc)))
    expect(Object.keys(JSON.parse(json))).toEqual(['from', 'to', 'summary', 'operations', 'schemas'])
  })
})

/** A one-operation spec to mutate per case. */
function baseSpec(): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'Tiny', version: '1.0.0' },
    paths: {
      '/things': {
        get: {
          operationId: 'listThings',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
            { name: 'sort', in: 'query', schema: { type: 'string', enum: ['name', 'date'] } },
          ],
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
            },
            '404': { description: 'missing' },
          },
          security: [{ OAuth2: ['things'] }],
        },
        post: {
          operationId: 'createThing',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          responses: { '201': { description: 'created' } },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string' },
            kind: { type: 'string', enum: ['a', 'b'] },
            size: { type: 'integer' },
          },
        },
        Other: { type: 'object', properties: { x: { type: 'string' } } },
      },
    },
  }
}

type Doc = {
  paths: Record<
    string,
    Record<string, JsonObject & { parameters: JsonObject[]; responses: Record<string, JsonObject> }>
  >
  components: { schemas: Record<string, JsonObject & { properties: Record<string, JsonObject>; required: string[] }> }
}

const cases: { name: string; mutate: (doc: Doc) => void; kind: ChangeKind; breaking: boolean }[] = [
  {
    name: 'removed operation',
    mutate: (d) => delete d.paths['/things']?.post,
    kind: 'operation-removed',
    breaking: true,
  },
  {
    name: 'added operation',
    mutate: (d) => {
      ;(d.paths['/things'] as JsonObject).delete = { responses: { '204': { description: 'gone' } } }
    },
    kind: 'operation-added',
    breaking: false,
  },
  {
    name: 'added optional parameter',
    mutate: (d) => d.paths['/things']?.get?.parameters.push({ name: 'q', in: 'query', schema: { type: 'string' } }),
    kind: 'parameter-added',
    breaking: false,
  },
  {
    name: 'added required parameter',
    mutate: (d) =>
      d.paths['/things']?.get?.parameters.push({ name: 'q', in: 'query', required: true, schema: { type: 'string' } }),
    kind: 'parameter-added',
    breaking: true,
  },
  {
    name: 'removed parameter',
    mutate: (d) => d.paths['/things']?.get?.parameters.splice(0, 1),
    kind: 'parameter-removed',
    breaking: true,
  },
  {
    name: 'parameter made required',
    mutate: (d) => Object.assign(d.paths['/things']?.get?.parameters[0] ?? {}, { required: true }),
    kind: 'parameter-required-changed',
    breaking: true,
  },
  {
    name: 'parameter moved to a header',
    mutate: (d) => Object.assign(d.paths['/things']?.get?.parameters[0] ?? {}, { in: 'header' }),
    kind: 'parameter-location-changed',
    breaking: true,
  },
  {
    name: 'parameter type changed',
    mutate: (d) => Object.assign(d.paths['/things']?.get?.parameters[0] ?? {}, { schema: { type: 'string' } }),
    kind: 'type-changed',
    breaking: true,
  },
  {
    name: 'enum value removed from a request parameter',
    mutate: (d) =>
      Object.assign(d.paths['/things']?.get?.parameters[1] ?? {}, { schema: { type: 'string', enum: ['name'] } }),
    kind: 'enum-value-removed',
    breaking: true,
  },
  {
    name: 'enum value added to a request parameter',
    mutate: (d) =>
      Object.assign(d.paths['/things']?.get?.parameters[1] ?? {}, {
        schema: { type: 'string', enum: ['name', 'date', 'size'] },
      }),
    kind: 'enum-value-added',
    breaking: false,
  },
  {
    name: 'success response removed',
    mutate: (d) => delete d.paths['/things']?.get?.responses['200'],
    kind: 'response-removed',
    breaking: true,
  },
  {
    name: 'error response removed',
    mutate: (d) => delete d.paths['/things']?.get?.responses['404'],
    kind: 'response-removed',
    breaking: false,
  },
  {
    name: 'response status added',
    mutate: (d) => Object.assign(d.paths['/things']?.get?.responses ?? {}, { '409': { description: 'conflict' } }),
    kind: 'response-added',
    breaking: false,
  },
  {
    name: 'response media type removed',
    mutate: (d) => Object.assign(d.paths['/things']?.get?.responses['200'] ?? {}, { content: {} }),
    kind: 'media-type-removed',
    breaking: true,
  },
  {
    name: 'response schema ref changed',
    mutate: (d) =>
      Object.assign(d.paths['/things']?.get?.responses['200'] ?? {}, {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Other' } } },
      }),
    kind: 'schema-ref-changed',
    breaking: true,
  },
  {
    name: 'request body removed',
    mutate: (d) => delete d.paths['/things']?.post?.requestBody,
    kind: 'request-body-removed',
    breaking: true,
  },
  {
    name: 'request body made optional',
    mutate: (d) => Object.assign(d.paths['/things']?.post?.requestBody ?? {}, { required: false }),
    kind: 'request-body-required-changed',
    breaking: false,
  },
  {
    name: 'request media type added',
    mutate: (d) =>
      Object.assign(((d.paths['/things']?.post?.requestBody ?? {}) as JsonObject).content as JsonObject, {
        'multipart/form-data': { schema: { type: 'object' } },
      }),
    kind: 'media-type-added',
    breaking: false,
  },
  {
    name: 'security scopes changed',
    mutate: (d) => Object.assign(d.paths['/things']?.get ?? {}, { security: [{ OAuth2: ['things', 'things.read'] }] }),
    kind: 'security-changed',
    breaking: true,
  },
  {
    name: 'operationId changed',
    mutate: (d) => Object.assign(d.paths['/things']?.get ?? {}, { operationId: 'getThings' }),
    kind: 'operation-id-changed',
    breaking: true,
  },
  {
    name: 'component schema removed',
    mutate: (d) => delete d.components.schemas.Other,
    kind: 'schema-removed',
    breaking: true,
  },
  {
    name: 'component schema added',
    mutate: (d) => Object.assign(d.components.schemas, { New: { type: 'string' } }),
    kind: 'schema-added',
    breaking: false,
  },
  {
    name: 'schema property added',
    mutate: (d) => Object.assign(d.components.schemas.Thing?.properties ?? {}, { color: { type: 'string' } }),
    kind: 'property-added',
    breaking: false,
  },
  {
    name: 'schema property removed',
    mutate: (d) => delete d.components.schemas.Thing?.properties.size,
    kind: 'property-removed',
    breaking: true,
  },
  {
    name: 'schema property made required',
    mutate: (d) => d.components.schemas.Thing?.required.push('size'),
    kind: 'required-added',
    breaking: true,
  },
  {
    name: 'schema property no longer required',
    mutate: (d) => d.components.schemas.Thing?.required.splice(0, 1),
    kind: 'required-removed',
    breaking: false,
  },
  {
    name: 'schema property type changed',
    mutate: (d) => Object.assign(d.components.schemas.Thing?.properties.size ?? {}, { type: 'string' }),
    kind: 'type-changed',
    breaking: true,
  },
  {
    name: 'enum value removed from a response schema',
    mutate: (d) => Object.assign(d.components.schemas.Thing?.properties.kind ?? {}, { enum: ['a'] }),
    kind: 'enum-value-removed',
    breaking: true,
  },
  {
    name: 'enum value added to a response schema',
    mutate: (d) => Object.assign(d.components.schemas.Thing?.properties.kind ?? {}, { enum: ['a', 'b', 'c'] }),
    kind: 'enum-value-added',
    breaking: false,
  },
]

function allChanges(diff: ReturnType<typeof diffSpecs>): Change[] {
  const opChanges = (list: typeof diff.operations.added, kind: ChangeKind): Change[] =>
    list.map((o) => ({ kind, breaking: o.breaking, location: '', message: o.key }))
  const schemaChanges = (list: typeof diff.schemas.added, kind: ChangeKind): Change[] =>
    list.map((s) => ({ kind, breaking: s.breaking, location: '', message: s.name }))
  return [
    ...opChanges(diff.operations.added, 'operation-added'),
    ...opChanges(diff.operations.removed, 'operation-removed'),
    ...diff.operations.changed.flatMap((o) => o.changes),
    ...schemaChanges(diff.schemas.added, 'schema-added'),
    ...schemaChanges(diff.schemas.removed, 'schema-removed'),
    ...diff.schemas.changed.flatMap((s) => s.changes),
  ]
}

describe('diffSpecs classification', () => {
  it('finds no change between identical specs', () => {
    const diff = diffSpecs(baseSpec(), baseSpec())
    expect(allChanges(diff)).toEqual([])
    expect(formatDiffText(diff)).toContain('0 breaking, 0 non-breaking')
  })

  it.each(cases)('$name → $kind, breaking: $breaking', ({ mutate, kind, breaking }) => {
    const after = baseSpec()
    mutate(after as unknown as Doc)
    const changes = allChanges(diffSpecs(baseSpec(), after))
    expect(changes).toHaveLength(1)
    expect(changes[0]).toMatchObject({ kind, breaking })
    expect(diffSpecs(baseSpec(), after).summary.breaking).toBe(breaking ? 1 : 0)
  })

  it('treats a parameter $ref and the inline parameter it points to as the same', () => {
    const before = baseSpec()
    const after = baseSpec()
    const afterDoc = after as unknown as Doc
    const param = afterDoc.paths['/things']?.get?.parameters[0] as JsonObject
    ;(after.components as JsonObject).parameters = { limit: param }
    afterDoc.paths['/things']?.get?.parameters.splice(0, 1, { $ref: '#/components/parameters/limit' })
    expect(allChanges(diffSpecs(before, after))).toEqual([])
  })

  it('applies path-level parameters to every operation of the path', () => {
    const after = baseSpec()
    ;(after as unknown as Doc).paths['/things'] = {
      ...(after as unknown as Doc).paths['/things'],
      parameters: [{ name: 'tenant', in: 'header', required: true, schema: { type: 'string' } }],
    } as never
    const changed = diffSpecs(baseSpec(), after).operations.changed
    expect(changed.map((o) => o.key)).toEqual(['GET /things', 'POST /things'])
    expect(changed.every((o) => o.changes[0]?.kind === 'parameter-added' && o.changes[0].breaking)).toBe(true)
  })
})
