/** The shape of the generated reference: which pages exist, what an API page holds, and that it all links up. */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listOperations, loadSpec } from '../../contract/src/openapi.js'
import { DEFAULT_OUT_DIR } from '../src/build.js'
import { type Page, readPages } from './pages.js'

const spec = loadSpec()
const pages = readPages()
const byName = new Map(pages.map((page) => [page.name, page]))
const tags = (spec as { tags?: { name: string }[] }).tags?.map((tag) => tag.name) ?? []

/** Components the markdown generator never makes a page of, and why. */
const WITHOUT_PAGE: Record<string, string> = {
  FlatLocalesString: 'a plain `type: string` alias: the generator inlines it as string wherever it is used',
}

function section(page: Page, heading: string): string {
  const start = page.text.indexOf(`${heading}\n`)
  if (start < 0) return ''
  const rest = page.text.slice(start + heading.length + 1)
  const next = rest.search(/^#{1,3} /m)
  return next < 0 ? rest : rest.slice(0, next)
}

describe('generated reference pages', () => {
  it('has one API page per tag of the spec and nothing else named *Api.md', () => {
    const apiPages = pages.map((page) => page.name).filter((name) => name.endsWith('Api.md'))
    expect(tags).toHaveLength(10)
    expect(apiPages).toEqual(tags.map((tag) => `${tag}Api.md`).sort())
  })

  it('has one page per component schema, and every other model page is an inline object its parent links to', () => {
    const schemas = spec.components?.schemas ?? {}
    const missing = Object.keys(schemas).filter((name) => !byName.has(`${name}.md`))
    expect(missing.sort()).toEqual(Object.keys(WITHOUT_PAGE).sort())

    const operationIds = new Set(listOperations(spec).map((entry) => entry.operationId))
    const inline = pages.filter(
      (page) => page.name !== 'README.md' && !page.name.endsWith('Api.md') && !schemas[page.name.slice(0, -3)],
    )
    expect(inline.length).toBeGreaterThan(0)
    for (const page of inline) {
      // The generator names an inline object after its parent: Task_progress, renameGroup_request.
      const parent = page.name.split('_')[0] ?? ''
      expect(schemas[parent] !== undefined || operationIds.has(parent), page.name).toBe(true)
      // An inline union is spelled out where it is used, as links to its variants; any other is linked to.
      if (page.text.includes("A union: each variant's page lists its own properties.")) continue
      const linkedFrom = pages.filter(
        (other) => other !== page && other.name !== 'README.md' && other.text.includes(`](${page.name})`),
      )
      expect(linkedFrom.length, `${page.name} is linked from no page`).toBeGreaterThan(0)
    }
  })

  it('documents every operation once on its tag page and once in the README index', () => {
    const readme = byName.get('README.md')?.text ?? ''
    for (const entry of listOperations(spec)) {
      const tag = entry.operation.tags?.[0] ?? ''
      const page = byName.get(`${tag}Api.md`)?.text ?? ''
      expect(page.split(`<a id="${entry.operationId}"></a>`).length, entry.operationId).toBe(2)
      expect(readme).toContain(`[**${entry.operationId}**](${tag}Api.md#${entry.operationId})`)
    }
  })

  it('gives getTask on the TaskApi page every section of the reference format', () => {
    const page = byName.get('TaskApi.md') as Page
    expect(page.text).toContain('| [**getTask**](#getTask) | **GET** `/tasks/{task}` |')
    expect(page.text).toContain('## getTask\n\n> **GET** `/tasks/{task}`')
    expect(section(page, '### Example')).toMatch(/```ts\n[\s\S]*await flat\.tasks\.get\('<task>'\)[\s\S]*```/)
    expect(section(page, '### Example')).toContain(
      "flat.raw.GET('/tasks/{task}', { params: { path: { task: '<task>' } } })",
    )
    expect(section(page, '### Parameters')).toMatch(/^\| \*\*task\*\* \| path \| `string` \| .+ \| yes \|$/m)
    expect(section(page, '### Return type').trim()).toBe('[Task](Task.md)')
    expect(section(page, '### Authorization')).toContain('[OAuth2](README.md#authorization), scopes: `tasks.readonly`')
    expect(section(page, '### HTTP request headers')).toContain('- **Accept**: `application/json`')
    const responses = section(page, '### HTTP response details')
    expect(responses).toMatch(
      /^\| \*\*200\*\* \| .+ \| `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` \|$/m,
    )
    expect(responses).toMatch(/^\| \*\*default\*\* \| .+ \| - \|$/m)
  })

  it('starts every page with the do-not-edit header', () => {
    const unmarked = pages.filter((page) => !page.text.startsWith('<!-- Generated from the resolved Flat OpenAPI spec'))
    expect(unmarked.map((page) => page.name)).toEqual([])
  })

  it('keeps every table row as wide as its header', () => {
    const broken: string[] = []
    for (const page of pages) {
      let columns = 0
      for (const [index, line] of page.text.split('\n').entries()) {
        if (!line.startsWith('|')) {
          columns = 0
          continue
        }
        // Escaped pipes sit inside cells.
        const cells = line.replace(/\\\|/g, '').split('|').length - 2
        if (columns === 0) columns = cells
        else if (cells !== columns) broken.push(`${page.name}:${index + 1}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('links only to pages and anchors that exist', () => {
    const dead: string[] = []
    for (const page of pages) {
      for (const [, target] of page.text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^https?:/.test(target)) continue
        const [file = '', anchor] = target.split('#')
        const linked = file === '' ? page : byName.get(file)
        if (file !== '' && !linked) {
          if (!existsSync(resolve(DEFAULT_OUT_DIR, file))) dead.push(`${page.name} → ${target}`)
          continue
        }
        if (anchor && linked && !linked.text.includes(`<a id="${anchor}"></a>`)) dead.push(`${page.name} → ${target}`)
      }
    }
    expect(dead).toEqual([])
  })
})
