import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findLink, parseContentDisposition, parseLinkHeader } from '../src/index.js'

/** A quoted-string as a server would write it: backslash before `"` and `\`. */
const quote = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`

/** RFC 5987 ext-value encoding, stricter than encodeURIComponent. */
const extValue = (value: string) =>
  `UTF-8''${[...new TextEncoder().encode(value)]
    .map((byte) =>
      /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(byte)) && byte < 0x80
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')}`

const token = fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/)
/** URI references with the characters that trip naive splitters: commas, semicolons, quotes, `=`. */
const uri = fc
  .array(fc.constantFrom(...'abcXYZ019/?=&,;+%-._~:"'.split('')), { minLength: 1, maxLength: 40 })
  .map((chars) => `https://api.example/v2/list?${chars.join('')}`)
const paramValue = fc.string({ maxLength: 20 }).filter((value) => !/[\r\n]/.test(value))

describe('parseLinkHeader', () => {
  it.each([
    ['one link', '<https://a/x?next=1>; rel="next"', [['https://a/x?next=1', ['next']]]],
    ['unquoted rel', '<https://a/x>; rel=next', [['https://a/x', ['next']]]],
    [
      'several links',
      '<https://a/2>; rel="next", <https://a/0>; rel="previous"',
      [
        ['https://a/2', ['next']],
        ['https://a/0', ['previous']],
      ],
    ],
    ['a rel with several types', '<https://a/2>; rel="last next"', [['https://a/2', ['last', 'next']]]],
    ['commas and semicolons inside the URI', '<https://a/x?q=a,b;c>; rel="next"', [['https://a/x?q=a,b;c', ['next']]]],
    ['upper-case relation and spacing', '  <https://a/2> ;REL = "NEXT"  ,', [['https://a/2', ['next']]]],
    [
      'a quoted parameter holding a comma',
      '<https://a/1>; title="a, b"; rel="prev", <https://a/2>; rel="next"',
      [
        ['https://a/1', ['prev']],
        ['https://a/2', ['next']],
      ],
    ],
    ['garbage before a link', 'junk; x=1, <https://a/2>; rel="next"', [['https://a/2', ['next']]]],
    ['an unterminated link', '<https://a/2; rel="next"', []],
    ['an empty header', '', []],
  ])('reads %s', (_label, header, expected) => {
    const links = parseLinkHeader(header)
    expect(links.map((link) => [link.uri, link.rel])).toEqual(expected)
  })

  it('resolves relative references against the base URL', () => {
    const links = parseLinkHeader('</v2/collections?next=abc>; rel="next"', 'https://api.flat.io/v2/collections')
    expect(findLink(links, 'next')).toBe('https://api.flat.io/v2/collections?next=abc')
  })

  it('keeps the first rel when a link repeats it', () => {
    expect(parseLinkHeader('<https://a/2>; rel="next"; rel="prev"')[0]?.rel).toEqual(['next'])
  })

  it('round-trips any list of links, whatever their URIs and quoted parameters hold (property)', () => {
    const link = fc.record({
      uri,
      rel: fc.uniqueArray(token, { minLength: 1, maxLength: 3 }),
      title: paramValue,
    })
    fc.assert(
      fc.property(fc.array(link, { minLength: 1, maxLength: 5 }), fc.constantFrom(',', ', ', ' ,\t'), (links, sep) => {
        const header = links.map((l) => `<${l.uri}>; rel=${quote(l.rel.join(' '))}; title=${quote(l.title)}`).join(sep)
        const parsed = parseLinkHeader(header)
        expect(parsed.map((p) => ({ uri: p.uri, rel: p.rel, title: p.params.title }))).toEqual(
          links.map((l) => ({ uri: l.uri, rel: l.rel, title: l.title })),
        )
      }),
      { numRuns: 500 },
    )
  })

  it('never throws, whatever the header (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        expect(Array.isArray(parseLinkHeader(header, 'https://a/'))).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('parseContentDisposition', () => {
  it.each([
    ['a quoted filename', 'attachment; filename="score.mp3"', 'score.mp3'],
    ['a token filename', 'attachment; filename=score.mid', 'score.mid'],
    ['filename* over filename', `attachment; filename="Etude.xml"; filename*=UTF-8''%C3%89tude.xml`, 'Étude.xml'],
    ['filename* before filename', `attachment; filename*=UTF-8''%E6%98%A5.png; filename="x.png"`, '春.png'],
    ['an ISO-8859-1 ext-value', `attachment; filename*=iso-8859-1'en'%E9t%E9.txt`, 'été.txt'],
    ['a broken ext-value, falling back', `attachment; filename*=UTF-8''%ZZ.mp3; filename="ok.mp3"`, 'ok.mp3'],
    ['invalid UTF-8, falling back', `attachment; filename*=UTF-8''%FF.mp3; filename="ok.mp3"`, 'ok.mp3'],
    ['escaped quotes', 'attachment; filename="say \\"hi\\".txt"', 'say "hi".txt'],
    ['a path, reduced to its base name', 'attachment; filename="../../etc/passwd"', 'passwd'],
    ['a Windows path', `attachment; filename*=UTF-8''C%3A%5Cx%5Cevil.exe`, 'evil.exe'],
    ['a dot-dot name', 'attachment; filename=".."', undefined],
    ['control characters', 'attachment; filename="a\u0007b.txt"', 'ab.txt'],
    ['raw UTF-8 read as Latin-1', `attachment; filename="${String.fromCharCode(0xc3, 0xa9)}.mp3"`, 'é.mp3'],
    ['upper-case names', 'ATTACHMENT; FILENAME="A.MP3"', 'A.MP3'],
    ['no filename', 'inline', undefined],
  ])('reads %s', (_label, header, expected) => {
    expect(parseContentDisposition(header).filename).toBe(expected)
  })

  it('gives the disposition type lower-cased', () => {
    expect(parseContentDisposition('Attachment; filename=a').type).toBe('attachment')
  })

  it('decodes any UTF-8 name sent RFC 5987 encoded beside an ASCII fallback (property)', () => {
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
      // A file name from a server never holds path separators or control characters once made safe.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is filtered out
      .filter((value) => !/[/\\\u0000-\u001f\u007f]/.test(value) && !['.', '..'].includes(value.trim()))
      .filter((value) => value.trim() === value && value !== '')
    fc.assert(
      fc.property(name, (value) => {
        const header = `attachment; filename="fallback.bin"; filename*=${extValue(value)}`
        expect(parseContentDisposition(header).filename).toBe(value)
      }),
      { numRuns: 1000 },
    )
  })

  it('reads back any quoted ASCII name (property)', () => {
    const ascii = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((value) => /^[\x20-\x7e]+$/.test(value) && !/[/\\]/.test(value) && value.trim() === value)
      .filter((value) => value !== '.' && value !== '..')
    fc.assert(
      fc.property(ascii, (value) => {
        expect(parseContentDisposition(`attachment; filename=${quote(value)}`).filename).toBe(value)
      }),
      { numRuns: 1000 },
    )
  })

  it('never throws, whatever the header (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        expect(typeof parseContentDisposition(header)).toBe('object')
      }),
      { numRuns: 1000 },
    )
  })
})
