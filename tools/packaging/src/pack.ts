import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runOk } from './exec.js'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The published packages, by their short name. */
export const PUBLISHED = {
  raw: { name: '@flat-api/raw', dir: join(REPO_ROOT, 'packages/raw') },
  sdk: { name: '@flat-api/sdk', dir: join(REPO_ROOT, 'packages/sdk') },
} as const

export type PackageKey = keyof typeof PUBLISHED

export interface PackedPackage {
  name: string
  version: string
  /** Absolute path of the `.tgz`. */
  tarball: string
  /** Bytes of the tarball. */
  size: number
  unpackedSize: number
  /** Paths inside the package, e.g. `dist/index.js`. */
  files: string[]
}

interface NpmPackEntry {
  name: string
  version: string
  filename: string
  size: number
  unpackedSize: number
  files: { path: string }[]
}

/** `npm pack` without lifecycle scripts, so what is checked is the build turbo made, not a fresh one. */
export async function packPackage(key: PackageKey, destination: string): Promise<PackedPackage> {
  const { name, dir } = PUBLISHED[key]
  const entry = join(dir, 'dist/index.js')
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} is missing: build ${name} first (turbo runs build before test; by hand: npx tsup in ${dir})`,
    )
  }
  const { stdout } = await runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: dir,
  })
  const [packed] = JSON.parse(stdout) as NpmPackEntry[]
  if (!packed) throw new Error(`npm pack printed no package for ${name}: ${stdout}`)
  return {
    name: packed.name,
    version: packed.version,
    tarball: join(destination, packed.filename),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files.map((file) => file.path).sort(),
  }
}

/** Installs the tarballs into `projectDir` as a user would; their registry dependencies come from npm. */
export async function installTarballs(projectDir: string, tarballs: readonly string[]): Promise<void> {
  await runOk('npm', ['install', ...tarballs, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: projectDir,
    timeoutMs: 180_000,
  })
}
