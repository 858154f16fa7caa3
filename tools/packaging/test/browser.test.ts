import { mkdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type Simulator, startSimulator } from '@flat-api/simulator'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PageResult } from '../browser/result.js'
import { type LaunchedChromium, launchChromium } from '../src/chromium.js'
import { resolveFromInstalled } from '../src/installed.js'
import { type StaticServer, startStaticServer } from '../src/static-server.js'
import './provided.js'

const { consumerDir } = inject('packaging')
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const SCORE = here('../../demo/scores/hello-flat.musicxml')
const SCREENSHOT = here('../test-results/browser.png')

describe('a page bundled with @flat-api/sdk in headless Chromium', () => {
  let sim: Simulator
  let site: StaticServer
  let browser: LaunchedChromium | undefined

  beforeAll(async () => {
    const bundled = await build({
      entryPoints: [here('../browser/app.ts')],
      bundle: true,
      minify: true,
      sourcemap: 'inline',
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      plugins: [resolveFromInstalled(consumerDir)],
    })
    // Two origins, two ports: every API call the page makes is cross-origin and needs the simulator's CORS.
    site = await startStaticServer(
      new Map([
        ['/', { contentType: 'text/html; charset=utf-8', body: await readFile(here('../browser/index.html')) }],
        ['/app.js', { contentType: 'text/javascript; charset=utf-8', body: bundled.outputFiles[0]?.contents ?? '' }],
        [
          '/hello-flat.musicxml',
          { contentType: 'application/vnd.recordare.musicxml+xml', body: await readFile(SCORE) },
        ],
      ]),
    )
    sim = await startSimulator({ port: 0, exportDurationMs: 1500 })
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await sim?.close()
  })

  it('imports a score, shows the export task progressing to 100% and downloads a non-empty MP3', async () => {
    browser = await launchChromium()
    const page = browser.context.pages()[0] ?? (await browser.context.newPage())
    const pageErrors: string[] = []
    const failedRequests: string[] = []
    const requested: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`)
    })
    page.on('request', (request) => requested.push(request.url()))
    page.on('requestfailed', (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`))
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.url()}: ${response.status()}`)
    })

    // Watches the DOM itself, apart from the page's own bookkeeping, for what a user would have seen.
    await page.addInitScript(() => {
      const texts: string[] = []
      window.progressTexts = texts
      new MutationObserver(() => {
        const text = document.getElementById('progress-text')?.textContent ?? ''
        if (text !== texts.at(-1)) texts.push(text)
      }).observe(document, { subtree: true, childList: true, characterData: true })
    })
    const query = new URLSearchParams({ api: sim.baseUrl, token: 'browser-token', score: '/hello-flat.musicxml' })
    await page.goto(`${site.url}/?${query}`)
    await page.waitForFunction(() => window.flatResult !== undefined, undefined, { timeout: 30_000 })
    const result = (await page.evaluate(() => window.flatResult)) as PageResult
    const progressTexts = await page.evaluate(() => window.progressTexts ?? [])
    await mkdir(here('../test-results'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    console.info(`browser page result: ${JSON.stringify(result)}; progress texts: ${progressTexts.join(' → ')}`)

    expect(pageErrors).toEqual([])
    expect(failedRequests).toEqual([])
    expect(result).toMatchObject({ ok: true, state: 'done', contentType: expect.stringMatching(/^audio\/mp(eg|3)\b/) })
    if (!result.ok) return
    expect(result.bytes).toBeGreaterThan(0)
    // An MP3 starts with an ID3 tag or an MPEG audio frame sync (11 set bits).
    const [b0 = 0, b1 = 0, b2 = 0] = result.head
    expect(String.fromCharCode(b0, b1, b2) === 'ID3' || (b0 === 0xff && (b1 & 0xe0) === 0xe0)).toBe(true)
    expect(result.shown.some(({ state, percent = 0 }) => state === 'doing' && percent > 0 && percent < 100)).toBe(true)
    expect(result.shown.at(-1)).toEqual({ state: 'done', percent: 100 })

    // What a user sees, read back from the DOM rather than from the script.
    const percents = progressTexts.map((text) => Number(/^(\d+)%$/.exec(text)?.[1] ?? Number.NaN))
    expect(percents.some((percent) => percent > 0 && percent < 100)).toBe(true)
    expect(progressTexts.at(-1)).toBe('100%')
    expect(await page.locator('#progress').evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(100)
    expect(await page.locator('#progress-text').textContent()).toBe('100%')
    expect(await page.locator('#state').textContent()).toBe('done')
    expect(await page.locator('#bytes').textContent()).toBe(`${result.bytes} bytes`)
    expect(await page.locator('#status').textContent()).toBe('Done')

    // The calls really crossed origins: the browser asked the API for permission first.
    expect(sim.requests).toEqual(
      expect.arrayContaining([expect.objectContaining({ method: 'OPTIONS', url: '/v2/scores' })]),
    )
    const origins = new Set(requested.map((url) => new URL(url).origin))
    expect([...origins].sort()).toEqual([site.url, sim.url, sim.fileHost.url].sort())
  })
})
