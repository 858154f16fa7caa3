import { readFile, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { formatLock, readLock } from '../src/lock.js'
import { type SyncOptions, syncSpec } from '../src/sync.js'
import type { JsonObject } from '../src/util.js'
import { listFiles, loopbackFetch, makeTempRepo, SHA_2_24_0, sharedSpec } from './helpers.js'

describe('syncSpec', () => {
  let root: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ root, cleanup } = await makeTempRepo())
  })
  afterEach(async () => cleanup())

  const resolvedPath = () => path.join(root, 'openapi', 'flat-api.yaml')
  const sync = (extra: Partial<SyncOptions> = {}) =>
    syncSpec({ repoRoot: root, env: {}, fetch: loopbackFetch, specSource: sharedSpec('2.24.0'), ...extra })

  it('writes the resolved spec with the overlays applied and a generated-file header', async () => {
    const result = await sync()
    expect(result.version).toBe('2.24.0')
    expect(result.sha256).toBe(SHA_2_24_0)
    expect(result.overlays).toEqual(['lti-configuration.yaml', 'pagination.yaml', 'rate-limit.yaml'])
    expect(result.operations).toBe(118)
    expect(result.summary).toContain('2.24.0')
    expect(result.summary).toContain('118 operations')

    const text = await readFile(resolvedPath(), 'utf8')
    const firstLine = text.split('\n')[0] ?? ''
    expect(firstLine).toMatch(/^# GENERATED .*do not edit/)
    expect(firstLine).toContain('2.24.0')
    expect(firstLine).toContain(SHA_2_24_0)
    expect(firstLine).toContain('lti-configuration.yaml, pagination.yaml, rate-limit.yaml')
    const doc = parse(text) as JsonObject
    expect(doc.openapi).toBe('3.0.3')
    const components = doc.components as { headers: JsonObject; responses: JsonObject }
    expect(components.responses.RateLimitExceeded).toBeDefined()
    expect(components.headers.Link).toBeDefined()
    expect(await listFiles(path.join(root, 'openapi'))).toEqual(['flat-api.lock.json', 'flat-api.yaml', 'overlays'])
  })

  it('resolves a relative FLAT_OPENAPI_SPEC against the repo root', async () => {
    const relative = path.relative(root, sharedSpec('2.24.0'))
    const result = await syncSpec({ repoRoot: root, env: { FLAT_OPENAPI_SPEC: relative }, fetch: loopbackFetch })
    expect(result.source).toBe(relative)
  })

  it('gives byte-identical output on every run', async () => {
    await sync()
    const first = await readFile(resolvedPath())
    await sync()
    const second = await readFile(resolvedPath())
    expect(second.equals(first)).toBe(true)
  })

  it('writes YAML that every YAML reader parses to the same document', async () => {
    await sync()
    const text = await readFile(resolvedPath(), 'utf8')
    expect(parse(text, { schema: 'yaml-1.1' })).toEqual(parse(text))
  })

  it('fails on a sha256 mismatch, naming both hashes and the source, and writes nothing', async () => {
    const lockFile = path.join(root, 'openapi', 'flat-api.lock.json')
    const wrong = 'a'.repeat(64)
    await writeFile(lockFile, formatLock({ ...(await readLock(root)), sha256: wrong }))
    const before = await listFiles(path.join(root, 'openapi'))

    const error = await sync().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    const message = (error as Error).message
    expect(message).toContain(wrong)
    expect(message).toContain(SHA_2_24_0)
    expect(message).toContain(sharedSpec('2.24.0'))
    expect(await listFiles(path.join(root, 'openapi'))).toEqual(before)
  })

  it('leaves an existing resolved file untouched when the sha256 does not match', async () => {
    await writeFile(resolvedPath(), 'previous content\n')
    const lockFile = path.join(root, 'openapi', 'flat-api.lock.json')
    await writeFile(lockFile, formatLock({ ...(await readLock(root)), sha256: 'b'.repeat(64) }))
    await expect(sync()).rejects.toThrow(/sha256 mismatch/)
    expect(await readFile(resolvedPath(), 'utf8')).toBe('previous content\n')
    expect(await listFiles(path.join(root, 'openapi'))).toEqual(['flat-api.lock.json', 'flat-api.yaml', 'overlays'])
  })

  it('fails when an overlay target matches nothing, naming the overlay file and the target', async () => {
    await writeFile(
      path.join(root, 'openapi', 'overlays', 'zz-stale.yaml'),
      [
        '# test overlay',
        'overlay: 1.0.0',
        'info: { title: stale, version: 1.0.0 }',
        'actions:',
        "  - target: $.paths['/gone'].get",
        '    update: { summary: x }',
        '',
      ].join('\n'),
    )
    const error = (await sync().catch((e: unknown) => e)) as Error
    expect(error.message).toContain('zz-stale.yaml')
    expect(error.message).toContain("$.paths['/gone'].get")
    expect(error.message).toContain('matches nothing')
    expect(await listFiles(path.join(root, 'openapi'))).toEqual(['flat-api.lock.json', 'overlays'])
  })

  it('rejects an overlay without the Overlay 1.0 fields', async () => {
    await writeFile(
      path.join(root, 'openapi', 'overlays', 'bad.yaml'),
      'overlay: 2.0.0\ninfo: { title: x }\nactions: []\n',
    )
    await expect(sync()).rejects.toThrow(/overlay bad\.yaml: `overlay` must be a 1\.0\.x version/)
  })

  describe('from a URL', () => {
    let server: Server
    let requests: number
    let baseUrl: string
    beforeEach(async () => {
      const body = await readFile(sharedSpec('2.24.0'))
      requests = 0
      server = createServer((req, res) => {
        requests++
        if (req.url === '/spec.yaml') res.writeHead(200, { 'content-type': 'application/yaml' }).end(body)
        else res.writeHead(404).end()
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterEach(async () => {
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
    })

    it("downloads the lock's source, caches it by sha256 and reuses the cache", async () => {
      const lockFile = path.join(root, 'openapi', 'flat-api.lock.json')
      await writeFile(lockFile, formatLock({ ...(await readLock(root)), source: `${baseUrl}/spec.yaml` }))

      const first = await syncSpec({ repoRoot: root, env: {}, fetch: loopbackFetch })
      expect(first.fromCache).toBe(false)
      expect(requests).toBe(1)
      const cached = path.join(root, 'openapi', '.cache', `${SHA_2_24_0}.yaml`)
      expect((await readFile(cached)).equals(await readFile(sharedSpec('2.24.0')))).toBe(true)

      const second = await syncSpec({ repoRoot: root, env: {}, fetch: loopbackFetch })
      expect(second.fromCache).toBe(true)
      expect(requests).toBe(1)
      expect(await listFiles(path.join(root, 'openapi', '.cache'))).toEqual([`${SHA_2_24_0}.yaml`])
    })

    it('reports an HTTP error with the URL', async () => {
      await expect(
        syncSpec({ repoRoot: root, env: { FLAT_OPENAPI_SPEC: `${baseUrl}/missing.yaml` }, fetch: loopbackFetch }),
      ).rejects.toThrow(`cannot download ${baseUrl}/missing.yaml: HTTP 404`)
      expect(await listFiles(path.join(root, 'openapi'))).toEqual(['flat-api.lock.json', 'overlays'])
    })
  })
})
