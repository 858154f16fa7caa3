import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_OUT_DIR } from '../src/build.js'

export interface Page {
  name: string
  text: string
}

/** The pages the docs task built; the tests read them rather than building again. */
export function readPages(dir: string = DEFAULT_OUT_DIR): Page[] {
  if (!existsSync(join(dir, 'README.md'))) {
    throw new Error(`no docs in ${dir}: build them first (node --import tsx src/build.ts, or turbo run docs)`)
  }
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }))
}

export interface CodeBlock {
  page: string
  index: number
  code: string
}

/** Every fenced ```ts block of the pages, in order. */
export function tsBlocks(pages: readonly Page[]): CodeBlock[] {
  return pages.flatMap((page) =>
    [...page.text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, index) => ({
      page: page.name,
      index,
      code: match[1] ?? '',
    })),
  )
}
