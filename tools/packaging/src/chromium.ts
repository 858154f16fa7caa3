import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's `chromium` package; the browser tests drive it, never a downloaded build. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * Without the background-networking switches Chromium reaches out to Google hosts at start (component updates,
 * sync, field trials); there is no internet here, and nothing may leave the machine.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const

export interface LaunchedChromium {
  context: BrowserContext
  /** Closes the browser, kills any process of it still alive (by PID) and removes its profile. */
  close(): Promise<void>
}

/** PIDs of live processes whose command line names `folder`: the browser, its helpers and its crash handler. */
async function processesUsing(folder: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    // A zombie's command line is empty: it is already dead, only its parent can reap it.
    if (cmdline.includes(`${folder}/`)) pids.push(Number(entry))
  }
  return pids
}

/** Waits for Chromium's processes to exit after a close, then kills (by PID) whatever is still there. */
async function reap(folder: string, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs
  let pids = await processesUsing(folder)
  while (pids.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    pids = await processesUsing(folder)
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Exited between the scan and the kill.
    }
  }
}

/** Headless Chromium with a fresh temporary profile. Fails, naming the binary, when it is not installed. */
export async function launchChromium(): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing: ${CHROMIUM_PATH} does not exist. Install Debian's package (apt-get install -y chromium); ` +
        'the browser test does not skip without it.',
    )
  }
  const root = await mkdtemp(join(tmpdir(), 'flat-chromium-'))
  const userDataDir = join(root, 'profile')
  let context: BrowserContext
  try {
    // A persistent context is how Playwright takes an explicit --user-data-dir. The XDG folders keep what Chromium
    // writes beside the profile (crash database, caches) inside the same temporary folder, not in the home folder.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: { ...process.env, XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache') },
      viewport: { width: 800, height: 600 },
      timeout: 30_000,
    })
  } catch (error) {
    await rm(root, { recursive: true, force: true })
    throw error
  }
  return {
    context,
    async close() {
      try {
        await context.close()
      } finally {
        await reap(root, 3_000)
        await rm(root, { recursive: true, force: true })
      }
    },
  }
}
