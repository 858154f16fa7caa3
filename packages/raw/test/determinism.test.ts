/**
 * The committed generator, run twice from the same spec, writes byte-identical files that start with the
 * do-not-edit header. It writes to fixed paths next to itself, so each run gets a copy of it in a temp tree laid
 * out like the repo (package, script, spec, node_modules), and the package's own generated files are left alone.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const packageRoot = resolve(import.meta.dirname, '..')
const repoRoot = resolve(packageRoot, '../..')
const HEADER = '// Generated from the resolved Flat OpenAPI spec by scripts/generate.ts. Do not edit.\n'
const OUTPUTS = ['src/generated/schema.gen.ts', 'test/generated/inventory.gen.ts']

/** Runs scripts/generate.ts in a fresh temp tree and returns what it wrote, by output path. */
function generateInTempTree(parent: string, name: string): Record<string, string> {
  const root = join(parent, name)
  const scripts = join(root, 'packages/raw/scripts')
  mkdirSync(scripts, { recursive: true })
  mkdirSync(join(root, 'openapi'))
  copyFileSync(join(packageRoot, 'scripts/generate.ts'), join(scripts, 'generate.ts'))
  // The script is an ES module with top-level await, as in the package.
  writeFileSync(join(root, 'packages/raw/package.json'), '{ "type": "module" }\n')
  copyFileSync(join(repoRoot, 'openapi/flat-api.yaml'), join(root, 'openapi/flat-api.yaml'))
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir')

  const result = spawnSync(process.execPath, ['--import', 'tsx', join(scripts, 'generate.ts')], {
    cwd: packageRoot,
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`generate.ts failed (${result.status}):\n${result.stderr}`)
  return Object.fromEntries(OUTPUTS.map((output) => [output, readFileSync(join(root, 'packages/raw', output), 'utf8')]))
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

describe('type generation', () => {
  const work = mkdtempSync(join(tmpdir(), 'flat-raw-generate-'))

  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
  })

  it('writes byte-identical files, each starting with the do-not-edit header, on two runs', () => {
    const first = generateInTempTree(work, 'first')
    const second = generateInTempTree(work, 'second')

    for (const output of OUTPUTS) {
      expect(first[output]?.startsWith(HEADER), output).toBe(true)
      expect(sha256(second[output] ?? ''), output).toBe(sha256(first[output] ?? ''))
    }
    expect(first['src/generated/schema.gen.ts']).toContain('export interface paths {')
    expect(first['test/generated/inventory.gen.ts']).toContain('export const operationCount = 118')
  }, 120_000)
})
