import { readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readLock } from '../src/lock.js'
import { syncSpec } from '../src/sync.js'
import { updateLock } from '../src/update.js'
import { listFiles, loopbackFetch, makeTempRepo, SHA_2_22_0, SHA_2_24_0, sharedSpec } from './helpers.js'

describe('updateLock', () => {
  let root: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ root, cleanup } = await makeTempRepo())
  })
  afterEach(async () => cleanup())
  const lockFile = () => path.join(root, 'openapi', 'flat-api.lock.json')

  it('pins 2.22.0 from a local file, recording the path as given', async () => {
    const input = sharedSpec('2.22.0')
    const result = await updateLock({ repoRoot: root, input, cwd: root, fetch: loopbackFetch })
    expect(result.previous?.version).toBe('2.24.0')
    expect(result.lock).toEqual({ version: '2.22.0', source: input, sha256: SHA_2_22_0 })
    expect(result.summary).toContain('2.24.0')
    expect(result.summary).toContain('→ 2.22.0')
    expect(await readFile(lockFile(), 'utf8')).toBe(
      `{\n  "version": "2.22.0",\n  "source": ${JSON.stringify(input)},\n  "sha256": "${SHA_2_22_0}"\n}\n`,
    )
    // The new lock is usable as is: sync reads the recorded path. The overlays target 2.24.0, whose OMR
    // operations 2.22.0 lacks, so they fail loudly; without them the sync succeeds.
    await expect(syncSpec({ repoRoot: root, env: {}, fetch: loopbackFetch })).rejects.toThrow(
      /overlay pagination\.yaml, action 2 \(target \$\.paths\['\/omr\/jobs'\].*matches nothing/,
    )
    await rm(path.join(root, 'openapi', 'overlays'), { recursive: true })
    const synced = await syncSpec({ repoRoot: root, env: {}, fetch: loopbackFetch })
    expect(synced.version).toBe('2.22.0')
    expect(synced.overlays).toEqual([])
  })

  it('records --source instead of the input when given', async () => {
    const source = 'https://example.invalid/pinned/openapi.yaml'
    const result = await updateLock({ repoRoot: root, input: sharedSpec('2.22.0'), source, fetch: loopbackFetch })
    expect(result.lock).toEqual({ version: '2.22.0', source, sha256: SHA_2_22_0 })
  })

  it('rewrites a relative path given from another folder so it resolves from the repo root', async () => {
    const cwd = path.join(root, 'openapi')
    const input = path.relative(cwd, sharedSpec('2.22.0'))
    const result = await updateLock({ repoRoot: root, input, cwd, fetch: loopbackFetch })
    expect(path.resolve(root, result.lock.source)).toBe(sharedSpec('2.22.0'))
  })

  it('refuses a file that is not OpenAPI 3.x and leaves the lock unchanged', async () => {
    const before = await readFile(lockFile(), 'utf8')
    const overlay = path.join(root, 'openapi', 'overlays', 'pagination.yaml')
    await expect(updateLock({ repoRoot: root, input: overlay, fetch: loopbackFetch })).rejects.toThrow(
      /is not an OpenAPI 3\.x document: no `openapi` version string/,
    )
    const swagger = path.join(root, 'swagger.yaml')
    await writeFile(swagger, 'swagger: "2.0"\ninfo: { title: x, version: "1" }\npaths: {}\n')
    await expect(updateLock({ repoRoot: root, input: swagger, fetch: loopbackFetch })).rejects.toThrow(/OpenAPI 3\.x/)
    const noPaths = path.join(root, 'no-paths.yaml')
    await writeFile(noPaths, 'openapi: 3.0.3\ninfo: { title: x, version: "1" }\n')
    await expect(updateLock({ repoRoot: root, input: noPaths, fetch: loopbackFetch })).rejects.toThrow(/no `paths`/)
    expect(await readFile(lockFile(), 'utf8')).toBe(before)
    expect(await listFiles(path.join(root, 'openapi'))).toEqual(['flat-api.lock.json', 'overlays'])
  })

  it('pins from a URL, records the URL and caches the download', async () => {
    const body = await readFile(sharedSpec('2.24.0'))
    const server = createServer((_req, res) => res.writeHead(200).end(body))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.yaml`
      const result = await updateLock({ repoRoot: root, input: url, fetch: loopbackFetch })
      expect(result.lock).toEqual({ version: '2.24.0', source: url, sha256: SHA_2_24_0 })
      expect(await readLock(root)).toEqual(result.lock)
      expect(await listFiles(path.join(root, 'openapi', '.cache'))).toEqual([`${SHA_2_24_0}.yaml`])
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
