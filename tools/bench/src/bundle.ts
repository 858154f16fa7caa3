/**
 * Bundle size: each entry in src/bundle (one typed call and one wait, or the closest equivalent) bundled by esbuild
 * for the browser as minified ESM; bytes minified and gzipped at level 9, and which packages the bytes come from.
 */
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Plugin } from 'esbuild'

export const BUNDLES = ['sdk', 'raw', 'openapi-fetch', 'flat-api', 'flat-api-apis'] as const
export type BundleName = (typeof BUNDLES)[number]

export const BUNDLE_LABELS: Record<BundleName, string> = {
  sdk: '@flat-api/sdk (typed call + tasks.wait)',
  raw: '@flat-api/raw alone (typed call + fixed-interval loop)',
  'openapi-fetch': 'openapi-fetch alone (same, for reference)',
  'flat-api': 'flat-api FlatClient (getScore + fixed-interval getTask loop)',
  'flat-api-apis': 'flat-api ScoreApi + TaskApi without FlatClient',
}

export interface BundleFigures {
  minifiedBytes: number
  gzipBytes: number
  /** Minified bytes by package (esbuild's per-input output bytes). */
  byPackage: Record<string, number>
  /**
   * Minified bytes by source file, from a second build of the same entry against the workspace sources instead of
   * their dist (which is one file per package): where the bytes come from. Our packages only.
   */
  bySourceFile?: Record<string, number>
  /** Size of that second build, which equals the first when the dist was just built from these sources. */
  fromSource?: { minifiedBytes: number; gzipBytes: number }
}

export type BundleResult = Record<BundleName, BundleFigures>

const entryDir = fileURLToPath(new URL('./bundle/', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** Resolves our packages to their TypeScript sources, so the metafile names each source file. */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(builder) {
    builder.onResolve({ filter: /^@flat-api\/(?:sdk|raw)$/ }, (args) => ({
      path: `${repoRoot}packages/${args.path.slice('@flat-api/'.length)}/src/index.ts`,
    }))
  },
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
  if (match?.[1]) return match[1]
  const workspace = /(?:^|\/)packages\/([^/]+)\//.exec(input)
  if (workspace?.[1]) return `@flat-api/${workspace[1]}`
  return 'entry'
}

async function bundle(name: BundleName, plugins: Plugin[]) {
  const result = await build({
    entryPoints: [`${entryDir}${name}.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  })
  const file = result.outputFiles[0]
  if (!file) throw new Error(`esbuild wrote nothing for ${name}`)
  const inputs: [string, number][] = []
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) inputs.push([input, bytesInOutput])
  }
  return { contents: file.contents, inputs }
}

function sortedDesc(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort((a, b) => b[1] - a[1]))
}

export async function measureBundle(name: BundleName): Promise<BundleFigures> {
  const { contents, inputs } = await bundle(name, [])
  const byPackage: Record<string, number> = {}
  for (const [input, bytes] of inputs) byPackage[packageOf(input)] = (byPackage[packageOf(input)] ?? 0) + bytes
  const figures: BundleFigures = {
    minifiedBytes: contents.byteLength,
    gzipBytes: gzipSync(contents, { level: 9 }).byteLength,
    byPackage: sortedDesc(byPackage),
  }
  if (name === 'sdk' || name === 'raw') {
    const fromSource = await bundle(name, [workspaceSources])
    const bySourceFile: Record<string, number> = {}
    for (const [input, bytes] of fromSource.inputs) {
      const at = input.indexOf('packages/')
      if (at >= 0) bySourceFile[input.slice(at)] = bytes
    }
    figures.bySourceFile = sortedDesc(bySourceFile)
    figures.fromSource = {
      minifiedBytes: fromSource.contents.byteLength,
      gzipBytes: gzipSync(fromSource.contents, { level: 9 }).byteLength,
    }
  }
  return figures
}

export async function runBundle(log: (line: string) => void = () => {}): Promise<BundleResult> {
  const result = {} as BundleResult
  for (const name of BUNDLES) {
    result[name] = await measureBundle(name)
    log(`  ${name}: ${result[name].minifiedBytes} B minified, ${result[name].gzipBytes} B gzip`)
  }
  return result
}
