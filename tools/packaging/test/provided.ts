import type { PackageKey, PackedPackage } from '../src/pack.js'

/** What the global setup made once for every test file. */
export interface Packaging {
  /** Holds the tarballs and the consumer project; removed after the run. */
  workDir: string
  /** A project with both tarballs installed from npm's point of view, and the fixtures beside them. */
  consumerDir: string
  packed: Record<PackageKey, PackedPackage>
}

declare module 'vitest' {
  export interface ProvidedContext {
    packaging: Packaging
  }
}
