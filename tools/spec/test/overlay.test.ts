import { describe, expect, it } from 'vitest'
import { applyOverlay, type LoadedOverlay, validateOverlay } from '../src/overlay.js'
import type { JsonObject } from '../src/util.js'

function overlay(actions: unknown[]): LoadedOverlay {
  return {
    file: 'test.yaml',
    document: validateOverlay({ overlay: '1.0.0', info: { title: 't', version: '1' }, actions }, 'test.yaml'),
  }
}

function doc(): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'x', version: '1' },
    tags: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    paths: {
      '/a': { get: { tags: ['a'], responses: { '200': { description: 'ok' }, '404': { description: 'no' } } } },
      '/b': { post: { tags: ['b'], responses: { '201': { description: 'made' } } } },
    },
  }
}

describe('applyOverlay', () => {
  it('merges objects recursively, appends arrays, replaces scalars', () => {
    const d = doc()
    applyOverlay(
      d,
      overlay([
        {
          target: "$.paths['/a'].get",
          update: { tags: ['extra'], summary: 's', responses: { '200': { description: 'fine' } } },
        },
      ]),
    )
    expect(d.paths).toMatchObject({
      '/a': {
        get: {
          tags: ['a', 'extra'],
          summary: 's',
          responses: { '200': { description: 'fine' }, '404': { description: 'no' } },
        },
      },
    })
  })

  it('appends the update value to a selected array', () => {
    const d = doc()
    applyOverlay(d, overlay([{ target: '$.tags', update: { name: 'd' } }]))
    expect(d.tags).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }])
  })

  it('updates every node a wildcard or filter selects, each with its own copy', () => {
    const d = doc()
    applyOverlay(
      d,
      overlay([
        {
          target: '$.paths.*.*.responses[?(@property.match(/^2/))]',
          update: { headers: { H: { schema: { type: 'string' } } } },
        },
      ]),
    )
    const paths = d.paths as Record<string, Record<string, { responses: Record<string, JsonObject> }>>
    const a = paths['/a']?.get?.responses
    const b = paths['/b']?.post?.responses
    expect(a?.['200']?.headers).toEqual({ H: { schema: { type: 'string' } } })
    expect(a?.['404']?.headers).toBeUndefined()
    expect(b?.['201']?.headers).toEqual(a?.['200']?.headers)
    expect(b?.['201']?.headers).not.toBe(a?.['200']?.headers)
  })

  it('removes selected object members and array items', () => {
    const d = doc()
    applyOverlay(
      d,
      overlay([
        { target: "$.paths['/a'].get.responses['404']", remove: true },
        { target: "$.tags[?(@.name !== 'b')]", remove: true },
      ]),
    )
    expect(d.tags).toEqual([{ name: 'b' }])
    expect(Object.keys((d.paths as JsonObject)['/a'] as JsonObject)).toEqual(['get'])
    const paths = d.paths as Record<string, Record<string, { responses: JsonObject }>>
    expect(paths['/a']?.get?.responses).toEqual({ '200': { description: 'ok' } })
  })

  it('runs actions in order, each on the result of the previous one', () => {
    const d = doc()
    applyOverlay(
      d,
      overlay([
        { target: '$.tags', remove: true },
        { target: '$', update: { tags: [{ name: 'only' }] } },
      ]),
    )
    expect(d.tags).toEqual([{ name: 'only' }])
  })

  it('rejects targets that select nothing or a scalar, and incompatible merges', () => {
    expect(() => applyOverlay(doc(), overlay([{ target: '$.nope', update: {} }]))).toThrow(
      'overlay test.yaml, action 1 (target $.nope): the target matches nothing in the spec',
    )
    expect(() => applyOverlay(doc(), overlay([{ target: '$.info.title', update: {} }]))).toThrow(/primitive value/)
    expect(() => applyOverlay(doc(), overlay([{ target: '$.info', update: { title: { x: 1 } } }]))).toThrow(
      /cannot merge a mapping into a scalar at title/,
    )
  })

  it('validates the Overlay 1.0 document shape', () => {
    const base = { overlay: '1.0.0', info: { title: 't', version: '1' }, actions: [{ target: '$', update: {} }] }
    expect(() => validateOverlay({ ...base, overlay: '1.1.0' }, 'f.yaml')).toThrow(
      /overlay f\.yaml: `overlay` must be a 1\.0\.x/,
    )
    expect(() => validateOverlay({ ...base, info: { version: '1' } }, 'f.yaml')).toThrow(/info\.title/)
    expect(() => validateOverlay({ ...base, info: { title: 't' } }, 'f.yaml')).toThrow(/info\.version/)
    expect(() => validateOverlay({ ...base, actions: [] }, 'f.yaml')).toThrow(/non-empty list/)
    expect(() => validateOverlay({ ...base, actions: [{ target: '$' }] }, 'f.yaml')).toThrow(
      /needs `update` or `remove: true`/,
    )
    expect(() => validateOverlay({ ...base, actions: [{ target: 'paths', update: {} }] }, 'f.yaml')).toThrow(
      /starting with \$/,
    )
  })
})
