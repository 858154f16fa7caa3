/**
 * Spells a schema as the TypeScript type openapi-typescript generates for it, for display in the docs: component
 * references become links to their model page. An inline object has no name of its own here (the generator names
 * its page), so a type containing one is not rendered and the template falls back to the generator's link.
 */
import { type OpenApiDocument, resolvePointer, type Schema, schemaRefName } from '../../contract/src/openapi.js'

type Token = { text: string } | { ref: string }

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** `'a'`, `3`, `null`: a literal as it appears in a TypeScript union. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  return JSON.stringify(value)
}

export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : literal(name)
}

function isUnion(tokens: Token[]): boolean {
  let depth = 0
  for (const token of tokens) {
    if (!('text' in token)) continue
    for (const char of token.text) {
      if (char === '<' || char === '(' || char === '[' || char === '{') depth++
      else if (char === '>' || char === ')' || char === ']' || char === '}') depth--
      else if ((char === '|' || char === '&') && depth === 0) return true
    }
  }
  return false
}

function join(parts: Token[][], separator: string): Token[] {
  return parts.flatMap((part, index) => (index === 0 ? part : [{ text: separator }, ...part]))
}

function tokens(spec: OpenApiDocument, schema: Schema, seen: readonly string[]): Token[] | undefined {
  if (schema.$ref) {
    const name = schemaRefName(schema.$ref)
    if (name) return [{ ref: name }]
    if (seen.includes(schema.$ref)) return undefined
    return tokens(spec, resolvePointer(spec, schema.$ref) as Schema, [...seen, schema.$ref])
  }
  const body = ((): Token[] | undefined => {
    if (schema.enum) return [{ text: schema.enum.map(literal).join(' | ') }]
    const choices = schema.oneOf ?? schema.anyOf
    const union = choices?.map((part) => tokens(spec, part, seen))
    if (union?.some((part) => part === undefined)) return undefined
    if (schema.allOf) {
      const parts = schema.allOf.map((part) => tokens(spec, part, seen))
      if (parts.some((part) => part === undefined)) return undefined
      // openapi-typescript spells allOf beside oneOf as `A & B & (C | D)`.
      if (union) parts.push([{ text: '(' }, ...join(union as Token[][], ' | '), { text: ')' }])
      return join(parts as Token[][], ' & ')
    }
    if (union) return join(union as Token[][], ' | ')
    switch (schema.type) {
      case 'string':
        return [{ text: schema.format === 'binary' ? 'Blob' : 'string' }]
      case 'integer':
      case 'number':
        return [{ text: 'number' }]
      case 'boolean':
        return [{ text: 'boolean' }]
      case 'array': {
        const item = schema.items ? tokens(spec, schema.items, seen) : [{ text: 'unknown' }]
        if (!item) return undefined
        return isUnion(item) ? [{ text: '(' }, ...item, { text: ')[]' }] : [...item, { text: '[]' }]
      }
      default: {
        if (schema.properties && Object.keys(schema.properties).length > 0) return undefined
        const extra = schema.additionalProperties
        if (extra === undefined || extra === false) {
          return [{ text: schema.type === 'object' || schema.properties ? 'Record<string, never>' : 'unknown' }]
        }
        const value = extra === true ? [{ text: 'unknown' }] : tokens(spec, extra, seen)
        if (!value) return undefined
        return [{ text: 'Record<string, ' }, ...value, { text: '>' }]
      }
    }
  })()
  if (!body) return undefined
  return schema.nullable
    ? [...(isUnion(body) ? [{ text: '(' }, ...body, { text: ')' }] : body), { text: ' | null' }]
    : body
}

/** Plain TypeScript, e.g. `ScoreDetails[]`, or undefined for a type that contains an unnamed inline object. */
export function typeText(spec: OpenApiDocument, schema: Schema): string | undefined {
  return tokens(spec, schema, [])
    ?.map((token) => ('text' in token ? token.text : token.ref))
    .join('')
}

/**
 * Markdown for a table cell: code spans for TypeScript text, links for models, pipes escaped so the table holds.
 * E.g. `[ScoreDetails](ScoreDetails.md)[]` or `` `'mp3' \| 'wav'` ``.
 */
export function typeMarkdown(spec: OpenApiDocument, schema: Schema): string | undefined {
  const list = tokens(spec, schema, [])
  if (!list) return undefined
  const merged: Token[] = []
  for (const token of list) {
    const last = merged.at(-1)
    if ('text' in token && last && 'text' in last) last.text += token.text
    else merged.push({ ...token })
  }
  return merged
    .map((token) => {
      if ('ref' in token) return `[${token.ref}](${token.ref}.md)`
      const text = token.text.replace(/\|/g, '\\|')
      // Pure punctuation between links reads better bare; anything else is TypeScript and goes in a code span.
      return /^[\s()[\]|\\&]*$/.test(token.text) ? text : `\`${text}\``
    })
    .join('')
}
