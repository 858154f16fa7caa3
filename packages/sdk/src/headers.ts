/** One `link-value` of an RFC 8288 `Link` header. */
export interface LinkValue {
  /** The target, resolved against the base URL when one was given. */
  uri: string
  /** Relation types, lower-cased: `rel="next last"` gives `['next', 'last']`. */
  rel: string[]
  /** Every parameter by lower-cased name, first occurrence kept, quoted strings unescaped. */
  params: Record<string, string>
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n'])

interface Cursor {
  text: string
  at: number
}

function skipWhitespace(cursor: Cursor): void {
  while (cursor.at < cursor.text.length && WHITESPACE.has(cursor.text[cursor.at] as string)) cursor.at += 1
}

/** A quoted-string starting at the opening quote; a backslash escapes the next character. */
function readQuoted(cursor: Cursor): string {
  let value = ''
  cursor.at += 1
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at] as string
    cursor.at += 1
    if (char === '"') return value

    if (char === '\\' && cursor.at < cursor.text.length) {
      value += cursor.text[cursor.at]
      cursor.at += 1
      continue
    }
    value += char
  }
  return value
}

/** A token: everything up to whitespace or one of `stops`. */
function readToken(cursor: Cursor, stops: string): string {
  const start = cursor.at
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at] as string
    if (WHITESPACE.has(char) || stops.includes(char)) break
    cursor.at += 1
  }
  return cursor.text.slice(start, cursor.at)
}

/**
 * Reads `;name=value` parameters until the end, or a top-level comma when `commaEnds` (the comma is left in place).
 * Values may be tokens or quoted strings; a name without `=` gets the empty string.
 */
function readParams(cursor: Cursor, commaEnds: boolean): Record<string, string> {
  const params: Record<string, string> = {}
  const stops = commaEnds ? ';,=' : ';='
  while (cursor.at < cursor.text.length) {
    skipWhitespace(cursor)
    const char = cursor.text[cursor.at]
    if (char === undefined || (commaEnds && char === ',')) break
    if (char !== ';') {
      // Not a parameter: skip a stray character (or a stray quoted string whole, so its commas stay inside it).
      if (char === '"') readQuoted(cursor)
      else cursor.at += 1
      continue
    }
    cursor.at += 1
    skipWhitespace(cursor)
    const name = readToken(cursor, stops).toLowerCase()
    skipWhitespace(cursor)
    let value = ''
    if (cursor.text[cursor.at] === '=') {
      cursor.at += 1
      skipWhitespace(cursor)
      value = cursor.text[cursor.at] === '"' ? readQuoted(cursor) : readToken(cursor, commaEnds ? ';,' : ';')
    }
    if (name && !Object.hasOwn(params, name)) params[name] = value
  }
  return params
}

/**
 * Parses an RFC 8288 `Link` header: several comma-separated links, commas and semicolons inside `<...>` or quoted
 * strings, `rel` with several space-separated types. Never throws; malformed parts are skipped.
 */
export function parseLinkHeader(header: string | null | undefined, baseUrl?: string): LinkValue[] {
  if (!header) return []

  const cursor: Cursor = { text: header, at: 0 }
  const links: LinkValue[] = []
  while (cursor.at < header.length) {
    skipWhitespace(cursor)
    const char = header[cursor.at]
    if (char === undefined) break
    if (char !== '<') {
      // Garbage before a link: skip to the next top-level comma.
      readParams(cursor, true)
      cursor.at += 1
      continue
    }
    const close = header.indexOf('>', cursor.at + 1)
    if (close < 0) break
    const reference = header.slice(cursor.at + 1, close).trim()
    cursor.at = close + 1
    const params = readParams(cursor, true)
    if (header[cursor.at] === ',') cursor.at += 1
    let uri = reference
    if (baseUrl !== undefined && URL.canParse(reference, baseUrl)) uri = new URL(reference, baseUrl).href
    const rel = (params.rel ?? '').split(/\s+/).filter(Boolean)
    links.push({ uri, rel: rel.map((type) => type.toLowerCase()), params })
  }
  return links
}

/** The URI of the first link whose `rel` includes `relation` (case-insensitive). */
export function findLink(links: readonly LinkValue[], relation: string): string | undefined {
  const wanted = relation.toLowerCase()
  return links.find((link) => link.rel.includes(wanted))?.uri
}

/** A parsed `Content-Disposition` header, as {@link parseContentDisposition} returns it. */
export interface ContentDisposition {
  /** `attachment`, `inline`, ... lower-cased; empty when the header had none. */
  type: string
  /** The file name, `filename*` preferred, reduced to a safe base name; undefined when none is usable. */
  filename: string | undefined
  /** Every parameter by lower-cased name, first occurrence kept, quoted strings unescaped, `filename*` undecoded. */
  params: Record<string, string>
}

function percentDecode(text: string): Uint8Array | undefined {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i)
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined

      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else if (char < 0x80) {
      bytes.push(char)
    } else {
      return undefined
    }
  }
  return Uint8Array.from(bytes)
}

/** An RFC 5987 `ext-value` (`charset'language'pct-encoded`), or undefined when it does not decode. */
export function decodeExtValue(value: string): string | undefined {
  const match = /^([^']*)'[^']*'(.*)$/s.exec(value)
  if (!match) return undefined

  const charset = (match[1] as string).toLowerCase()
  if (charset !== 'utf-8' && charset !== 'iso-8859-1') return undefined

  const bytes = percentDecode(match[2] as string)
  if (!bytes) return undefined

  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Headers reach JavaScript as Latin-1; a server that put raw UTF-8 in a quoted `filename` gives mojibake, which
 * this reverses when the bytes are valid UTF-8.
 */
function repairLatin1(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value) || /[^\x20-\xff\t]/.test(value)) return value

  const bytes = Uint8Array.from(value, (char) => char.charCodeAt(0))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return value
  }
}

/**
 * A file name safe to join to a directory: the last path segment only, control characters dropped, and no `.` or
 * `..`. Undefined when nothing usable is left.
 */
export function safeFilename(name: string): string | undefined {
  const base = name.split(/[/\\]/).at(-1) ?? ''
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  if (!cleaned || cleaned === '.' || cleaned === '..') return undefined
  return cleaned
}

/** Parses `Content-Disposition` (RFC 6266), preferring the RFC 5987 `filename*` over `filename`. Never throws. */
export function parseContentDisposition(header: string | null | undefined): ContentDisposition {
  if (!header) return { type: '', filename: undefined, params: {} }

  const cursor: Cursor = { text: header, at: 0 }
  skipWhitespace(cursor)
  const type = readToken(cursor, ';').toLowerCase()
  const params = readParams(cursor, false)
  const extended = params['filename*'] === undefined ? undefined : decodeExtValue(params['filename*'])
  const plain = params.filename === undefined ? undefined : repairLatin1(params.filename)
  const filename = (extended === undefined ? undefined : safeFilename(extended)) ?? (plain && safeFilename(plain))
  return { type, filename: filename || undefined, params }
}
