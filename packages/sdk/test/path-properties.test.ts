import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { encodePathParam } from '@flat-api/raw'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const hasControlCharacter = (value: string) =>
  [...value].some((char) => (char.codePointAt(0) ?? 0) < 0x20 || char.codePointAt(0) === 0x7f)

const DOT_SEGMENTS = ['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%2E.', '.%2E']

describe('path parameter encoding, property-based', () => {
  it('round-trips any well-formed string that is not a dot segment through one decode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (value) => {
        fc.pre(!DOT_SEGMENTS.includes(value.toLowerCase()) && !hasControlCharacter(value))
        const encoded = encodePathParam('id', value)
        expect(encoded).not.toMatch(/[/?#\s]/)
        expect(decodeURIComponent(encoded)).toBe(value)
      }),
      { numRuns: 2000 },
    )
  })

  it('never lets a value escape its segment once a URL parser normalizes the path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), (value) => {
        let encoded: string
        try {
          encoded = encodePathParam('id', value)
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError)
          return
        }
        const url = new URL(`https://api.flat.io/v2/tasks/${encoded}`)
        expect(url.pathname.startsWith('/v2/tasks/')).toBe(true)
        expect(url.pathname.slice('/v2/tasks/'.length)).toBe(encoded)
        expect(url.search).toBe('')
        expect(url.hash).toBe('')
      }),
      { numRuns: 2000 },
    )
  })

  it.each(DOT_SEGMENTS)('rejects the dot segment %s with a TypeError naming the parameter', (value) => {
    expect(() => encodePathParam('task', value)).toThrow(/"task"/)
  })

  it.each([
    ['CR/LF', 'abc\r\n'],
    ['NUL', 'a\u0000b'],
    ['tab', '\tabc'],
    ['DEL', 'abc\u007f'],
  ])('rejects an id with %s with a TypeError naming the parameter', (_, value) => {
    expect(() => encodePathParam('task', value)).toThrow(TypeError)
    expect(() => encodePathParam('task', value)).toThrow(/"task".*control/)
  })

  it('delivers a hostile id to a real server as exactly one path segment', async () => {
    const seen: string[] = []
    const server = createServer((req, res) => {
      seen.push(req.url ?? '')
      res.end()
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const ids = ['a/b c?d', '../x', 'x#y', '%', 'é ♪', '..%2F', '%2e%2e%2f', ' ', '?', '#']
      for (const id of ids) await fetch(`${base}/v2/tasks/${encodePathParam('task', id)}`)
      expect(seen.map((url) => decodeURIComponent(url.slice('/v2/tasks/'.length)))).toEqual(ids)
      expect(seen.every((url) => url.split('/').length === 4)).toBe(true)
    } finally {
      server.close()
    }
  })
})
