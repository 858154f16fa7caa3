import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, posix } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { run } from '../src/exec.js'
import type { PackageKey } from '../src/pack.js'
import { readTarball } from '../src/tarball.js'
import './provided.js'

const { packed, workDir } = inject('packaging')
const require = createRequire(import.meta.url)

function attwBin(): string {
  const manifestPath = require.resolve('@arethetypeswrong/cli/package.json')
  const manifest = require(manifestPath) as { bin: { attw: string } }
  return join(dirname(manifestPath), manifest.bin.attw)
}

interface AttwResolution {
  resolution?: { fileName: string }
  implementationResolution?: { fileName: string }
}

interface AttwReport {
  analysis: {
    packageName: string
    types: false | { kind: string }
    problems: unknown[]
    entrypoints: Record<string, { resolutions: Record<string, AttwResolution> }>
  }
}

const ENTRY_FILES = ['dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js']

/** Packages each one is built on; its imports must include them (and nothing that is not a dependency). */
const BUILT_ON: Record<PackageKey, string[]> = { raw: ['openapi-fetch'], sdk: ['@flat-api/raw'] }

describe.each(['raw', 'sdk'] satisfies PackageKey[])('the packed @flat-api/%s tarball', (key) => {
  const pkg = packed[key]
  let files: Map<string, Buffer>

  beforeAll(async () => {
    files = await readTarball(pkg.tarball)
  })

  it('holds exactly the files npm pack listed', () => {
    expect([...files.keys()].sort()).toEqual(pkg.files)
  })

  it('publishes the four entry files, their source maps and package.json, and no sources or config', () => {
    const expected = [...ENTRY_FILES, 'dist/index.cjs.map', 'dist/index.js.map', 'package.json'].sort()
    // npm adds a README and a LICENSE by itself when the package folder has them.
    expect(pkg.files.filter((file) => !/^(readme|license)(\.|$)/i.test(file))).toEqual(expected)
  })

  it('passes publint with no errors, warnings or suggestions', async () => {
    const data = await readFile(pkg.tarball)
    const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
    const result = await publint({ pack: { tarball }, level: 'suggestion', strict: true })
    const messages = result.messages.map(
      (m) => `${m.type} ${m.code}: ${formatMessage(m, result.pkg, { color: false })}`,
    )

    expect(result.pkg.name).toBe(pkg.name)
    expect(messages).toEqual([])
  })

  it('has no are-the-types-wrong problems, and each resolution mode finds its own types and code', async () => {
    // Checked from an empty folder so no .attw.json there can switch rules off.
    const result = await run(process.execPath, [attwBin(), pkg.tarball, '--format', 'json'], { cwd: workDir })
    const report = JSON.parse(result.stdout) as AttwReport
    const resolutions = report.analysis.entrypoints['.']?.resolutions ?? {}
    const found = Object.fromEntries(
      Object.entries(resolutions).map(([mode, r]) => [
        mode,
        [r.resolution?.fileName, r.implementationResolution?.fileName].map((file) =>
          file?.replace(`/node_modules/${pkg.name}/`, ''),
        ),
      ]),
    )

    expect(report.analysis.packageName).toBe(pkg.name)
    expect(report.analysis.types).toEqual({ kind: 'included' })
    expect(report.analysis.problems).toEqual([])
    expect(result.code).toBe(0)
    expect(found).toEqual({
      node10: ['dist/index.d.ts', 'dist/index.cjs'],
      'node16-cjs': ['dist/index.d.cts', 'dist/index.cjs'],
      'node16-esm': ['dist/index.d.ts', 'dist/index.js'],
      bundler: ['dist/index.d.ts', 'dist/index.js'],
    })
  })

  it('imports only published files and declared dependencies (no node: builtins) from code and declarations', async () => {
    const manifest = JSON.parse(files.get('package.json')?.toString('utf8') ?? '{}') as {
      dependencies?: Record<string, string>
    }
    const allowed = new Set(Object.keys(manifest.dependencies ?? {}))
    const unresolved: string[] = []
    const packages = new Set<string>()
    for (const file of ENTRY_FILES) {
      const text = files.get(file)?.toString('utf8') ?? ''
      const specifiers = [...text.matchAll(/(?:from\s+|require\(|import\()\s*["']([^"']+)["']/g)].map((m) => m[1] ?? '')
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) {
          const target = posix.join(posix.dirname(file), specifier)
          if (!files.has(target)) unresolved.push(`${file} → ${specifier}`)
          continue
        }
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]
        packages.add(name ?? specifier)
        if (!allowed.has(name ?? specifier)) unresolved.push(`${file} → ${specifier} (not a dependency)`)
      }
    }

    expect(unresolved).toEqual([])
    expect([...packages]).toEqual(expect.arrayContaining(BUILT_ON[key]))
  })

  it('ships source maps that carry their sources, since src/ is not published', () => {
    for (const map of ['dist/index.js.map', 'dist/index.cjs.map']) {
      const parsed = JSON.parse(files.get(map)?.toString('utf8') ?? '{}') as {
        sources?: string[]
        sourcesContent?: (string | null)[]
      }
      expect(parsed.sources?.length, map).toBeGreaterThan(0)
      expect(parsed.sourcesContent?.length, map).toBe(parsed.sources?.length)
      expect(
        parsed.sourcesContent?.every((source) => typeof source === 'string' && source.length > 0),
        map,
      ).toBe(true)
    }
  })
})

describe('the packed @flat-api/raw tarball', () => {
  it('declares the generated API types in both declaration files', async () => {
    const files = await readTarball(packed.raw.tarball)
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      const text = files.get(file)?.toString('utf8') ?? ''
      const exported =
        /export \{([^}]*)\};?\s*$/
          .exec(text)?.[1]
          ?.split(',')
          .map((name) => name.trim()) ?? []

      expect(text, file).toMatch(/^interface paths \{$/m)
      expect(text, file).toMatch(/^ {4}"\/tasks\/\{task\}": \{$/m)
      expect(text, file).toMatch(/^ {4}"\/scores\/\{score\}\/revisions\/\{revision\}\/\{format\}\/task": \{$/m)
      expect(text, file).toMatch(/^type Task = components\[["']schemas["']\]\[["']Task["']\];$/m)
      expect(exported, file).toEqual(
        expect.arrayContaining([
          'type paths',
          'type components',
          'type operations',
          'type Task',
          'type ScoreDetails',
          'createRawClient',
        ]),
      )
    }
  })
})
