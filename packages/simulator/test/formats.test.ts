import { describe, expect, it } from 'vitest'
import { builtinScoreXml, keepParts } from '../src/formats/builtin-score.js'
import { asciiFilename, contentDisposition, encodeRfc5987 } from '../src/formats/disposition.js'
import { readMxl, writeMxl } from '../src/formats/mxl.js'
import { readZip, writeZip } from '../src/formats/zip.js'
import { parseMusicXml } from '../src/index.js'
import { extendedFilename, slowCrc32 } from './formats.js'
import { DEMO_XML } from './helpers.js'

describe('zip archives', () => {
  it('round-trips stored and deflated entries with UTF-8 names and correct CRCs', () => {
    const text = Buffer.from('é'.repeat(1000))
    const archive = Buffer.from(
      writeZip([
        { name: 'plain.txt', data: Buffer.from('stored'), stored: true },
        { name: 'données/é.txt', data: text },
      ]),
    )

    const entries = readZip(archive)

    expect([...entries.keys()]).toEqual(['plain.txt', 'données/é.txt'])
    expect(Buffer.from(entries.get('données/é.txt') ?? []).equals(text)).toBe(true)
    expect(archive.readUInt32LE(14)).toBe(slowCrc32(Buffer.from('stored')))
    expect(archive.length).toBeLessThan(text.length)
  })

  it('refuses bytes that are no zip', () => {
    expect(() => readZip(Buffer.from('hello world, this is not an archive'))).toThrow(TypeError)
    expect(() => readMxl(writeZip([{ name: 'readme.txt', data: Buffer.from('x') }]))).toThrow(/root file/)
  })

  it('reads back the MusicXML of an MXL container', () => {
    expect(readMxl(writeMxl(DEMO_XML))).toBe(DEMO_XML)
  })
})

describe('Content-Disposition', () => {
  it.each([
    ['Hello.mp3', 'Hello.mp3', 'Hello.mp3'],
    ['Für Élise.mid', 'Fur Elise.mid', 'F%C3%BCr%20%C3%89lise.mid'],
    ["it's (a) *test*.xml", "it's (a) *test*.xml", 'it%27s%20%28a%29%20%2Atest%2A.xml'],
    ['夜想曲 "2".png', '___ _2_.png', '%E5%A4%9C%E6%83%B3%E6%9B%B2%20%222%22.png'],
  ])('sends %j as filename=%j and filename* %s', (name, ascii, encoded) => {
    expect(asciiFilename(name)).toBe(ascii)
    expect(encodeRfc5987(name)).toBe(encoded)
    expect(contentDisposition(name)).toBe(`attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`)
    expect(extendedFilename(contentDisposition(name))).toBe(name)
  })

  it('keeps path separators and control characters out of the name', () => {
    expect(extendedFilename(contentDisposition('../../etc/passwd\n.mp3'))).toBe('.._.._etc_passwd_.mp3')
  })
})

describe('the built-in score', () => {
  it('is valid MusicXML with the title escaped and the parts asked for', () => {
    const xml = builtinScoreXml('A <b> & "c"', [
      { id: 'P1', name: 'Violin' },
      { id: 'P2', name: 'Cello' },
    ])

    const score = parseMusicXml(xml)

    expect(score.title).toBe('A <b> & "c"')
    expect(score.parts.map((part) => part.name)).toEqual(['Violin', 'Cello'])
    expect(score.durationSec).toBe(8)
    expect(score.notes).toHaveLength(32)
  })

  it('drops the parts not kept, leaving the rest as they were', () => {
    const kept = keepParts(DEMO_XML, ['P1'])

    expect(parseMusicXml(kept).parts).toEqual([{ id: 'P1', name: 'Flute' }])
    expect(kept).not.toContain('<part id="P2">')
    expect(kept).toContain(DEMO_XML.slice(DEMO_XML.indexOf('<part id="P1">'), DEMO_XML.indexOf('</part>')))
  })
})
