import { resolve, sep } from 'node:path'
import type { Plugin } from 'esbuild'

/**
 * Resolves `@flat-api/*` imports from a project where the packed tarballs were installed, instead of from this
 * repo's workspace links: the bundle then holds exactly what npm users get, through the published `exports`.
 */
export function resolveFromInstalled(projectDir: string): Plugin {
  const root = resolve(projectDir) + sep
  return {
    name: 'resolve-from-installed',
    setup(build) {
      build.onResolve({ filter: /^@flat-api\// }, async (args) => {
        // Imports made from inside the installed project already resolve there.
        if (`${resolve(args.resolveDir)}${sep}`.startsWith(root)) return undefined
        const result = await build.resolve(args.path, { kind: args.kind, resolveDir: projectDir })
        if (result.errors.length > 0) return { errors: result.errors }
        return { path: result.path, sideEffects: result.sideEffects }
      })
    },
  }
}
