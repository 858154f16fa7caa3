import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import { describe, expect, inject, it } from 'vitest'
import { resolveFromInstalled } from '../src/installed.js'
import './provided.js'

const { consumerDir } = inject('packaging')
const ENTRY = fileURLToPath(new URL('../browser/size-entry.ts', import.meta.url))
/**
 * Gzipped bytes the SDK and raw runtime may add to a browser bundle; openapi-fetch is counted separately.
 * A regression guard a little above today's size (about 17 kB): every helper hangs off one client object, so a page
 * that only waits still carries OMR, downloads and pagination. The benchmarks report this against the 8 kB target.
 */
const BUDGET_BYTES = 20_000

async function bundle(external: string[]): Promise<{ gzipBytes: number; minBytes: number; metafile: Metafile }> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    external,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [resolveFromInstalled(consumerDir)],
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array()
  return { gzipBytes: gzipSync(code, { level: 9 }).byteLength, minBytes: code.byteLength, metafile: result.metafile }
}

/** Minified bytes per input, largest first: what to look at when the budget is exceeded. */
function breakdown(metafile: Metafile): string {
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs))
  return inputs
    .sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput)
    .map(([path, { bytesInOutput }]) => `${bytesInOutput} B  ${path}`)
    .join('\n')
}

describe('the browser bundle of a page that exports a score and waits', () => {
  it(`adds under ${BUDGET_BYTES} gzipped bytes of SDK and raw code, taken from the installed tarballs`, async () => {
    const ours = await bundle(['openapi-fetch'])
    const whole = await bundle([])
    const inputs = Object.keys(ours.metafile.inputs)
    console.info(
      `browser bundle, minified + gzip -9: sdk + raw ${ours.gzipBytes} B (${ours.minBytes} B minified); ` +
        `with openapi-fetch ${whole.gzipBytes} B (${whole.minBytes} B minified)\n${breakdown(whole.metafile)}`,
    )

    expect(inputs.some((path) => path.endsWith('/consumer/node_modules/@flat-api/sdk/dist/index.js'))).toBe(true)
    expect(inputs.some((path) => path.endsWith('/consumer/node_modules/@flat-api/raw/dist/index.js'))).toBe(true)
    expect(ours.gzipBytes, breakdown(ours.metafile)).toBeLessThan(BUDGET_BYTES)
    // Equal sizes would mean raw's ESM carries its own copy of openapi-fetch, duplicated beside the user's.
    expect(whole.gzipBytes, 'openapi-fetch stays an import of the ESM build').toBeGreaterThan(ours.gzipBytes)
  })
})
