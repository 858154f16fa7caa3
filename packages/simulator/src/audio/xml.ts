/**
 * A small, dependency-free XML reader: enough for MusicXML (elements, attributes, text, CDATA, comments,
 * processing instructions and a DOCTYPE, which is skipped). Not a validating parser: DTD-declared entities are not
 * expanded, and whitespace-only text is dropped because no element the score reader uses has mixed content.
 */

export interface XmlElement {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: readonly XmlNode[]
}

export type XmlNode = XmlElement | string

interface MutableElement {
  name: string
  attributes: Record<string, string>
  children: XmlNode[]
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7\u00C0-\uFFFF]*/y
const WHITESPACE = /[ \t\r\n]*/y
const ENTITY = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Decodes the predefined XML entities and numeric character references; anything else is left as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(ENTITY, (whole, body: string) => {
    if (body.startsWith('#')) {
      const codePoint = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10)
      const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff)
      return valid ? String.fromCodePoint(codePoint) : whole
    }
    return NAMED_ENTITIES[body] ?? whole
  })
}

function fail(xml: string, index: number, message: string): never {
  const before = xml.slice(0, index)
  const line = before.split('\n').length
  const column = index - before.lastIndexOf('\n')
  throw new TypeError(`Invalid XML at line ${line}, column ${column}: ${message}`)
}

function matchAt(pattern: RegExp, xml: string, index: number): string | undefined {
  pattern.lastIndex = index
  return pattern.exec(xml)?.[0]
}

function skipWhitespace(xml: string, index: number): number {
  WHITESPACE.lastIndex = index
  WHITESPACE.exec(xml)
  return WHITESPACE.lastIndex
}

function indexAfter(xml: string, index: number, terminator: string, what: string): number {
  const end = xml.indexOf(terminator, index)
  if (end < 0) fail(xml, index, `unterminated ${what}`)
  return end + terminator.length
}

/** Skips `<!DOCTYPE ...>`, including an internal subset in brackets (which may itself contain `>`). */
function skipDoctype(xml: string, index: number): number {
  let i = index
  let inSubset = false
  let quote: string | undefined
  while (i < xml.length) {
    const ch = xml[i]
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
    } else if (ch === '"' || ch === "'") {
      quote = ch
    } else if (ch === '[') {
      inSubset = true
    } else if (ch === ']') {
      inSubset = false
    } else if (ch === '>' && !inSubset) {
      return i + 1
    }
    i++
  }
  return fail(xml, index, 'unterminated DOCTYPE')
}

/** Parses an XML document and returns its root element. Throws `TypeError` when the text is not well-formed XML. */
export function parseXml(input: string): XmlElement {
  const xml = input.startsWith('\uFEFF') ? input.slice(1) : input
  const stack: MutableElement[] = []
  let root: MutableElement | undefined
  let i = 0

  const addText = (text: string, at: number): void => {
    const parent = stack[stack.length - 1]
    if (parent === undefined) {
      if (text.trim() !== '')
        fail(xml, at, root === undefined ? 'text before the root element' : 'text after the root element')
      return
    }
    if (text.trim() !== '') parent.children.push(text)
  }

  while (i < xml.length) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) {
      addText(decodeEntities(xml.slice(i)), i)
      break
    }
    if (lt > i) addText(decodeEntities(xml.slice(i, lt)), i)

    if (xml.startsWith('<?', lt)) {
      i = indexAfter(xml, lt + 2, '?>', 'processing instruction')
    } else if (xml.startsWith('<!--', lt)) {
      i = indexAfter(xml, lt + 4, '-->', 'comment')
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = indexAfter(xml, lt + 9, ']]>', 'CDATA section')
      if (stack.length === 0) fail(xml, lt, 'CDATA outside the root element')
      addText(xml.slice(lt + 9, end - 3), lt)
      i = end
    } else if (xml.startsWith('<!DOCTYPE', lt)) {
      if (root !== undefined || stack.length > 0) fail(xml, lt, 'DOCTYPE after the root element started')
      i = skipDoctype(xml, lt + 9)
    } else if (xml.startsWith('</', lt)) {
      const name = matchAt(NAME, xml, lt + 2)
      if (name === undefined) fail(xml, lt, 'malformed closing tag')
      const close = skipWhitespace(xml, lt + 2 + name.length)
      if (xml[close] !== '>') fail(xml, lt, `malformed closing tag </${name}>`)
      const open = stack.pop()
      if (open === undefined) fail(xml, lt, `closing tag </${name}> without an open element`)
      if (open.name !== name) fail(xml, lt, `closing tag </${name}> does not match <${open.name}>`)
      i = close + 1
    } else {
      i = readStartTag(
        xml,
        lt,
        stack,
        () => root,
        (element) => {
          root = element
        },
      )
    }
  }

  const unclosed = stack[stack.length - 1]
  if (unclosed !== undefined) fail(xml, xml.length, `element <${unclosed.name}> is never closed`)
  if (root === undefined) fail(xml, 0, 'no root element found')
  return root
}

function readStartTag(
  xml: string,
  lt: number,
  stack: MutableElement[],
  getRoot: () => MutableElement | undefined,
  setRoot: (element: MutableElement) => void,
): number {
  const name = matchAt(NAME, xml, lt + 1)
  if (name === undefined) fail(xml, lt, "'<' that does not start a tag")
  const element: MutableElement = { name, attributes: {}, children: [] }
  let i = lt + 1 + name.length

  for (;;) {
    const afterSpace = skipWhitespace(xml, i)
    const ch = xml[afterSpace]
    if (ch === undefined) fail(xml, lt, `unterminated tag <${name}>`)
    if (ch === '>' || (ch === '/' && xml[afterSpace + 1] === '>')) {
      i = afterSpace + (ch === '>' ? 1 : 2)
      const parent = stack[stack.length - 1]
      if (parent !== undefined) {
        parent.children.push(element)
      } else if (getRoot() === undefined) {
        setRoot(element)
      } else {
        fail(xml, lt, `second root element <${name}>`)
      }
      if (ch === '>') stack.push(element)
      return i
    }
    if (afterSpace === i) fail(xml, afterSpace, `expected whitespace between attributes in <${name}>`)
    const attribute = matchAt(NAME, xml, afterSpace)
    if (attribute === undefined) fail(xml, afterSpace, `malformed attribute in <${name}>`)
    const eq = skipWhitespace(xml, afterSpace + attribute.length)
    if (xml[eq] !== '=') fail(xml, eq, `attribute ${attribute} in <${name}> has no value`)
    const open = skipWhitespace(xml, eq + 1)
    const quote = xml[open]
    if (quote !== '"' && quote !== "'") fail(xml, open, `attribute ${attribute} in <${name}> is not quoted`)
    const close = xml.indexOf(quote, open + 1)
    if (close < 0) fail(xml, open, `unterminated value of attribute ${attribute} in <${name}>`)
    const raw = xml.slice(open + 1, close)
    if (raw.includes('<')) fail(xml, open, `'<' in the value of attribute ${attribute} in <${name}>`)
    if (Object.hasOwn(element.attributes, attribute))
      fail(xml, afterSpace, `duplicate attribute ${attribute} in <${name}>`)
    element.attributes[attribute] = decodeEntities(raw)
    i = close + 1
  }
}

/** The direct child elements of `element`, optionally only those named `name`. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  const result: XmlElement[] = []
  for (const child of element.children) {
    if (typeof child !== 'string' && (name === undefined || child.name === name)) result.push(child)
  }
  return result
}

/** The first direct child element named `name`. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (typeof child !== 'string' && child.name === name) return child
  }
  return undefined
}

/** The element's own text (not its descendants'), trimmed. */
export function textOf(element: XmlElement): string {
  let text = ''
  for (const child of element.children) {
    if (typeof child === 'string') text += child
  }
  return text.trim()
}

/** The trimmed text of the first child named `name`, or `undefined` when there is no such child. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = childElement(element, name)
  return child === undefined ? undefined : textOf(child)
}
