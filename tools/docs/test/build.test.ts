/** The docs build: byte-identical output from the same spec, and a clear failure without Java. */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildDocs, rewriteSiteLinks, tidy } from '../src/build.js'
import { readGeneratorConfig } from '../src/generator.js'

function hashes(dir: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const name of readdirSync(dir).sort()) {
    result[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex')
  }
  return result
}

describe('docs build', () => {
  const work = mkdtempSync(join(tmpdir(), 'flat-docs-build-'))

  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
  })

  it('writes byte-identical pages on two runs from the same spec', async () => {
    const first = await buildDocs({ outDir: join(work, 'a') })
    const second = await buildDocs({ outDir: join(work, 'b') })

    expect(second).toEqual(first)
    expect(first.length).toBeGreaterThan(150)
    expect(hashes(join(work, 'b'))).toEqual(hashes(join(work, 'a')))
  })

  it('writes no generator banner, version or timestamp into the pages', () => {
    const { version } = readGeneratorConfig()
    const text = readdirSync(join(work, 'a'))
      .map((name) => readFileSync(join(work, 'a', name), 'utf8'))
      .join('\n')
    expect(text).not.toContain(version)
    expect(text).not.toMatch(/Generated (on|at|by OpenAPI Generator)|openapi-generator\.tech/i)
    expect(text).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:\d\d/)
    expect(existsSync(join(work, 'a', '.openapi-generator'))).toBe(false)
  })

  it('exits 1 naming the Java package to install when java is not on PATH, and writes nothing', () => {
    const out = join(work, 'no-java')
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/build.ts', '--out', out], {
      cwd: resolve(import.meta.dirname, '..'),
      env: { ...process.env, PATH: '' },
      encoding: 'utf8',
    })

    expect(result.status).toBe(1)
    expect(result.stderr).toContain(
      'Java 17+ is needed to build the reference docs: apt-get install openjdk-17-jre-headless',
    )
    expect(existsSync(out)).toBe(false)
  })

  it('unescapes quotes and backslashes in table cells only, and drops trailing spaces and extra blank lines', () => {
    const text = '# T  \n\n\n\n| a \\"b\\" c:\\\\d \\| e |\nkeep \\"this\\"\n'

    expect(tidy(text)).toBe('# T\n\n| a "b" c:\\d \\| e |\nkeep \\"this\\"\n')
  })

  it("turns links to Flat's reference site into links between these pages", () => {
    const tagOf = new Map([['deleteScore', 'Score']])
    const text = 'see [delete](#operation/deleteScore), [the API](#tag/Collection) and [other](#operation/unknown)'

    expect(rewriteSiteLinks(text, tagOf)).toBe(
      'see [delete](ScoreApi.md#deleteScore), [the API](CollectionApi.md) and [other](#operation/unknown)',
    )
  })
})
