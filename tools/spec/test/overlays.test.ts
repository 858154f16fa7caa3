import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { syncSpec } from '../src/sync.js'
import { isPlainObject, type JsonObject, resolveLocalRef } from '../src/util.js'
import { HTTP_METHODS, loopbackFetch, makeTempRepo, parseYamlText, sharedSpec } from './helpers.js'

type Operation = { parameters?: JsonObject[]; responses: Record<string, JsonObject> }

function operations(doc: JsonObject): { key: string; pathItem: JsonObject; op: Operation }[] {
  const out: { key: string; pathItem: JsonObject; op: Operation }[] = []
  for (const [p, pathItem] of Object.entries(doc.paths as Record<string, JsonObject>)) {
    for (const method of HTTP_METHODS) {
      const op = pathItem[method]
      if (isPlainObject(op)) out.push({ key: `${method.toUpperCase()} ${p}`, pathItem, op: op as Operation })
    }
  }
  return out
}

/** Cursor pagination, computed from the upstream spec: a `next` or `previous` query parameter, inline or by $ref. */
function paginatedOperations(doc: JsonObject): string[] {
  return operations(doc)
    .filter(({ pathItem, op }) =>
      [...((pathItem.parameters as JsonObject[]) ?? []), ...(op.parameters ?? [])].some((raw) => {
        const param = (typeof raw.$ref === 'string' ? resolveLocalRef(doc, raw.$ref) : raw) as JsonObject
        return param.in === 'query' && (param.name === 'next' || param.name === 'previous')
      }),
    )
    .map((o) => o.key)
    .sort()
}

describe('overlays on 2.24.0', () => {
  let upstream: JsonObject
  let resolved: JsonObject
  let resolvedFile: string
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    const repo = await makeTempRepo()
    cleanup = repo.cleanup
    const result = await syncSpec({
      repoRoot: repo.root,
      env: {},
      specSource: sharedSpec('2.24.0'),
      fetch: loopbackFetch,
    })
    resolvedFile = result.outputPath
    upstream = parseYamlText(await readFile(sharedSpec('2.24.0'), 'utf8'))
    resolved = parseYamlText(await readFile(resolvedFile, 'utf8'))
  })
  afterAll(async () => cleanup())

  it('declares the Link header on exactly the cursor-paginated operations', () => {
    const paginated = paginatedOperations(upstream)
    expect(paginated).toHaveLength(8)
    const withLink = operations(resolved)
      .filter(({ op }) => Object.values(op.responses).some((r) => isPlainObject(r.headers) && 'Link' in r.headers))
      .map((o) => o.key)
      .sort()
    expect(withLink).toEqual(paginated)
    for (const { key, op } of operations(resolved)) {
      if (!paginated.includes(key)) continue
      expect(op.responses['200']?.headers).toMatchObject({ Link: { $ref: '#/components/headers/Link' } })
    }
    expect((resolved.components as { headers: JsonObject }).headers.Link).toMatchObject({ schema: { type: 'string' } })
  })

  it('adds the three rate-limit headers to every 2xx response of every operation', () => {
    let count = 0
    for (const { op } of operations(resolved)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!status.startsWith('2')) continue
        count++
        const headers = response.headers as JsonObject
        for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) {
          expect(headers[name]).toEqual({ $ref: `#/components/headers/${name}` })
        }
      }
    }
    expect(count).toBeGreaterThan(100)
    const headers = (resolved.components as { headers: Record<string, JsonObject> }).headers
    expect(headers['X-RateLimit-Remaining']?.schema).toEqual({ type: 'integer' })
    expect(headers['X-RateLimit-Reset']?.schema).toMatchObject({ type: 'integer' })
  })

  it('adds the rate-limit 403 only where upstream declares no 403, keeping the existing ones', () => {
    const before = new Map(operations(upstream).map((o) => [o.key, o.op]))
    let added = 0
    for (const { key, op } of operations(resolved)) {
      const upstream403 = before.get(key)?.responses['403']
      if (upstream403) expect(op.responses['403']).toEqual(upstream403)
      else {
        expect(op.responses['403']).toEqual({ $ref: '#/components/responses/RateLimitExceeded' })
        added++
      }
    }
    expect(added).toBeGreaterThan(0)
    const response = (resolved.components as { responses: Record<string, JsonObject> }).responses.RateLimitExceeded
    expect(response?.content).toMatchObject({
      'application/json': {
        schema: { $ref: '#/components/schemas/FlatErrorResponse' },
        example: { code: 'API_RATE_LIMIT_EXCEEDED' },
      },
    })
  })

  it('stays a valid OpenAPI 3.0.3 document that openapi-typescript accepts without warnings', async () => {
    expect(resolved.openapi).toBe('3.0.3')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      // openapi-typescript lints with Redocly's `minimal` rules first: structural errors and dangling $refs throw.
      await openapiTS(pathToFileURL(resolvedFile))
      expect(warn.mock.calls).toEqual([])
      expect(error.mock.calls).toEqual([])
    } finally {
      warn.mockRestore()
      error.mockRestore()
    }
  })

  describe('LTI configuration type', () => {
    // Narrows on both discriminators and reads a field that only one variant has.
    const snippet = `
import type { components, paths } from './schema.js'

type Lti = components['schemas']['LtiConfiguration']

export function variantDetail(config: Lti): string | undefined {
  if (config.ltiVersion !== '1p3') return config.consumerKey
  switch (config.mode) {
    case '1p3-deployment':
      return config.parentId ?? config.deploymentKey
    case '1p3-dynamic':
      return config.registrationToken
    case '1p3-manual':
      return config.platformIss
  }
}

type Created = paths['/organizations/lti/configurations']['post']['responses'][200]['content']['application/json']

export function registrationUrl(created: Created): string | undefined {
  return created.ltiVersion === '1p3' && created.mode === '1p3-dynamic' ? created.registrationUrl : undefined
}
`
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'flat-spec-lti-'))
    })
    afterAll(async () => rm(dir, { recursive: true, force: true }))

    async function typeErrors(specFile: string): Promise<string[]> {
      const schema = astToString(await openapiTS(pathToFileURL(specFile), { silent: true }))
      await writeFile(path.join(dir, 'schema.ts'), schema)
      await writeFile(path.join(dir, 'check.ts'), snippet)
      const program = ts.createProgram([path.join(dir, 'check.ts')], {
        strict: true,
        noEmit: true,
        noUncheckedIndexedAccess: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: [],
        skipLibCheck: true,
      })
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    }

    it('narrows to each variant and reads its own fields with the overlay applied', async () => {
      expect(await typeErrors(resolvedFile)).toEqual([])
    }, 60_000)

    it('does not type-check against the upstream spec, which is why the overlay exists', async () => {
      const errors = await typeErrors(sharedSpec('2.24.0'))
      expect(errors.some((e) => e.includes('registrationToken') || e.includes('parentId'))).toBe(true)
    }, 60_000)
  })
})
