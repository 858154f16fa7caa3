/**
 * Every TypeScript example in the generated pages compiles, as a user would paste it, against the built
 * @flat-api/sdk and @flat-api/raw types and under the repo's strict compiler options.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../src/generator.js'
import { readPages, tsBlocks } from './pages.js'

/** Blocks after the first on a page reuse its client, as the pages say; the prelude stands in for it. */
const PRELUDE = "import { createFlatClient } from '@flat-api/sdk'\nconst flat = createFlatClient()\n"

function compilerOptions(): ts.CompilerOptions {
  const path = resolve(REPO_ROOT, 'tsconfig.base.json')
  const { config, error } = ts.readConfigFile(path, ts.sys.readFile)
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT)
  return {
    ...options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    // The temp folder is outside the repo: point the packages and Node's types at their built declarations.
    paths: {
      '@flat-api/sdk': [resolve(REPO_ROOT, 'packages/sdk/dist/index.d.ts')],
      '@flat-api/raw': [resolve(REPO_ROOT, 'packages/raw/dist/index.d.ts')],
    },
    typeRoots: [resolve(REPO_ROOT, 'node_modules/@types')],
  }
}

describe('code examples in the generated docs', () => {
  const blocks = tsBlocks(readPages())
  const dir = mkdtempSync(join(tmpdir(), 'flat-docs-examples-'))

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('include an example for every operation and a snippet for every model', () => {
    const pages = new Set(blocks.map((block) => block.page))
    expect(pages.has('TaskApi.md')).toBe(true)
    expect(pages.has('Task.md')).toBe(true)
    expect(blocks.length).toBeGreaterThan(118)
  })

  it('all type-check in one program with zero errors', () => {
    const files = blocks.map((block) => {
      const usesSharedClient = /\bflat\./.test(block.code) && !block.code.includes('createFlatClient(')
      // `.mts`: an ES module wherever it sits, so top-level await is allowed.
      const file = join(dir, `${block.page.replace(/\.md$/, '')}.${block.index}.mts`)
      writeFileSync(file, `${usesSharedClient ? PRELUDE : ''}${block.code}\nexport {}\n`)
      return file
    })
    const program = ts.createProgram(files, compilerOptions())
    const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file
        ? `${diagnostic.file.fileName.slice(dir.length + 1)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
        : 'program'
      return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`
    })
    expect(errors).toEqual([])
  })
})
