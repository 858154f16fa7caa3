import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { FetchLike, JsonObject } from '../src/util.js'

/** The real repo: only ever read from, never written to. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const PACKAGE_ROOT = path.join(REPO_ROOT, 'tools', 'spec')

export const SHA_2_22_0 = 'f86f9c5bb44b6c102ef6515fab263b5c480c616beaaa4745aadc73ddb98e5949'
export const SHA_2_24_0 = '60354254b39df4ea4f3c3ebfc366c358c71c8f6b8c3c131da5c38f55c5f925dc'

/**
 * The upstream specs are not committed: FLAT_OPENAPI_SPEC names the 2.24.0 file (2.22.0 sits beside it);
 * otherwise they are looked for in `shared/openapi/` next to the repo.
 */
export function sharedSpec(version: '2.22.0' | '2.24.0'): string {
  const fromEnv = process.env.FLAT_OPENAPI_SPEC
  const envFile = fromEnv ? path.resolve(REPO_ROOT, fromEnv) : undefined
  const dir = envFile ? path.dirname(envFile) : path.join(REPO_ROOT, '..', 'shared', 'openapi')
  const file = version === '2.24.0' && envFile ? envFile : path.join(dir, `flat-api-${version}.yaml`)
  if (!existsSync(file)) {
    throw new Error(`upstream spec ${version} not found at ${file}; set FLAT_OPENAPI_SPEC to the 2.24.0 file`)
  }
  return file
}

export function parseYamlText(text: string): JsonObject {
  return parse(text) as JsonObject
}

/** A throwaway repo root holding copies of the real lock and overlays. */
export async function makeTempRepo(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'flat-spec-test-'))
  await mkdir(path.join(root, 'openapi'), { recursive: true })
  await cp(path.join(REPO_ROOT, 'openapi', 'flat-api.lock.json'), path.join(root, 'openapi', 'flat-api.lock.json'))
  await cp(path.join(REPO_ROOT, 'openapi', 'overlays'), path.join(root, 'openapi', 'overlays'), { recursive: true })
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) }
}

export async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort()
}

/** Tests may only talk to servers they started on loopback; anything else is a bug in the test. */
export const loopbackFetch: FetchLike = async (url, init) => {
  const { hostname } = new URL(url)
  if (hostname !== '127.0.0.1' && hostname !== '[::1]') throw new Error(`test tried to reach ${url}`)
  return globalThis.fetch(url, init)
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export function operationKeys(doc: JsonObject): string[] {
  const keys: string[] = []
  for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(item)) if (HTTP_METHODS.includes(method)) keys.push(`${method.toUpperCase()} ${p}`)
  }
  return keys
}
