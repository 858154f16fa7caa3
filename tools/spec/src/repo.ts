import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LOCK_FILE } from './lock.js'
import { SpecToolError } from './util.js'

/**
 * The repo root is the nearest folder above this package holding `openapi/flat-api.lock.json`;
 * `FLAT_REPO_ROOT` overrides it so tests can run against a throwaway copy.
 */
export function findRepoRoot(env: NodeJS.ProcessEnv = process.env, start = fileURLToPath(import.meta.url)): string {
  const override = env.FLAT_REPO_ROOT
  if (override) {
    const root = path.resolve(override)
    if (!existsSync(path.join(root, LOCK_FILE)))
      throw new SpecToolError(`FLAT_REPO_ROOT=${override} has no ${LOCK_FILE}`)
    return root
  }
  let dir = path.dirname(start)
  for (;;) {
    if (existsSync(path.join(dir, LOCK_FILE))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) throw new SpecToolError(`no ${LOCK_FILE} found above ${path.dirname(start)}`)
    dir = parent
  }
}
