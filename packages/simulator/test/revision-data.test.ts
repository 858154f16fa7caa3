import { gunzipSync } from 'node:zlib'
import type { Task } from '@flat-api/raw'
import { afterEach, describe, expect, it } from 'vitest'
import { readMxl } from '../src/formats/mxl.js'
import { readZip } from '../src/formats/zip.js'
import { parseMusicXml, readMp3Frames, readWavInfo, type Simulator } from '../src/index.js'
import { extendedFilename, hasHighBytes, readMidi, readPng } from './formats.js'
import { call, closeAll, DEMO_XML, importDemo, manualClock, start } from './helpers.js'

afterEach(closeAll)

const TITLE = 'Für Élise — 夜想曲 "2"'

/** Asks the API for revision data, then downloads it from where the 302 points, without a token. */
async function download(sim: Simulator, score: string, format: string, query = '') {
  const api = await call(sim, 'GET', `/v2/scores/${score}/revisions/last/${format}${query}`)
  expect(api.status).toBe(302)
  const location = api.headers.get('location') ?? ''
  const file = await fetch(location)
  return { api, location, file, bytes: Buffer.from(await file.arrayBuffer()) }
}

const FORMATS = [
  ['xml', 'application/vnd.recordare.musicxml+xml', 'musicxml'],
  ['mxl', 'application/vnd.recordare.musicxml', 'mxl'],
  ['json', 'application/json', 'json'],
  ['mp3', 'audio/mp3', 'mp3'],
  ['wav', 'audio/wav', 'wav'],
  ['midi', 'audio/midi', 'mid'],
  ['flat', 'application/octet-stream', 'flat'],
  ['thumbnail.png', 'image/png', 'png'],
  ['synchronizationPoints', 'application/json', 'json'],
] as const

describe('revision data', () => {
  it.each(FORMATS)(
    'redirects %s to the file host, which serves %s with its length and an RFC 5987 name',
    async (format, type, extension) => {
      const sim = await start()
      const score = await importDemo(sim, TITLE)

      const { api, location, file, bytes } = await download(sim, score, format)

      expect(new URL(location).origin).toBe(sim.fileHost.url)
      expect(sim.fileHost.url).not.toBe(sim.url)
      expect(api.headers.get('x-flat-score-revision')).toMatch(/^[0-9a-f]{24}$/)
      expect(api.headers.get('x-flat-score-revision-date')).toEqual(expect.any(String))
      expect(file.status).toBe(200)
      expect(file.headers.get('content-type')).toBe(type)
      expect(Number(file.headers.get('content-length'))).toBe(bytes.length)
      expect(bytes.length).toBeGreaterThan(0)
      const disposition = file.headers.get('content-disposition')
      expect(extendedFilename(disposition)).toBe(`${TITLE}.${extension}`)
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/)
      expect(sim.fileHost.requests.at(-1)).toMatchObject({ method: 'GET', authorization: false, status: 200 })
    },
  )

  it('answers the URL as JSON with url=true, with the revision headers', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const { status, body, headers } = await call(sim, 'GET', `/v2/scores/${score}/revisions/last/midi?url=true`)

    expect(status).toBe(200)
    expect(new URL((body as { url: string }).url).origin).toBe(sim.fileHost.url)
    expect(headers.get('x-flat-score-revision')).toBeTruthy()
    expect((await fetch((body as { url: string }).url)).status).toBe(200)
  })

  it('accepts the revision by id as well as last, and 404s an unknown revision or score', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const revision = (await call(sim, 'GET', `/v2/scores/${score}/revisions/last`)).body as { id: string }

    const byId = await call(sim, 'GET', `/v2/scores/${score}/revisions/${revision.id}/xml`)
    const unknownRevision = await call(sim, 'GET', `/v2/scores/${score}/revisions/nope/xml`)
    const unknownScore = await call(sim, 'GET', '/v2/scores/nope/revisions/last/xml')

    expect(byId.status).toBe(302)
    expect(unknownRevision.status).toBe(404)
    expect(unknownRevision.body).toMatchObject({ code: 'REVISION_NOT_FOUND' })
    expect(unknownScore.status).toBe(404)
  })

  it.each([
    ['an unknown part', '?parts=P1,P9', 'parts'],
    ['an empty part list', '?parts=', 'parts'],
    ['a non-boolean url', '?url=yes', 'url'],
  ])('refuses %s with 400 naming the parameter', async (_, query, param) => {
    const sim = await start()
    const score = await importDemo(sim)

    const { status, body } = await call(sim, 'GET', `/v2/scores/${score}/revisions/last/mp3${query}`)

    expect(status).toBe(400)
    expect(body).toMatchObject({ param })
  })

  it('refuses a format the spec does not list', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const { status, body } = await call(sim, 'GET', `/v2/scores/${score}/revisions/last/pdf`, { validate: false })

    expect(status).toBe(400)
    expect(body).toMatchObject({ param: 'format' })
  })
})

describe('the bytes of each format', () => {
  it('gives MusicXML as imported, or only the parts asked for', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const all = await download(sim, score, 'xml')
    const cello = await download(sim, score, 'xml', '?parts=P2')

    expect(all.bytes.toString('utf8')).toBe(DEMO_XML)
    expect(parseMusicXml(cello.bytes.toString('utf8')).parts).toEqual([{ id: 'P2', name: 'Cello' }])
  })

  it('packs MXL as a zip with mimetype first, a container and the score', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const { bytes } = await download(sim, score, 'mxl')

    const entries = readZip(bytes)
    expect([...entries.keys()]).toEqual(['mimetype', 'META-INF/container.xml', 'score.musicxml'])
    expect(Buffer.from(entries.get('mimetype') ?? []).toString()).toBe('application/vnd.recordare.musicxml')
    expect(bytes.toString('latin1', 30, 38)).toBe('mimetype')
    expect(readMxl(bytes)).toBe(DEMO_XML)
    expect(hasHighBytes(bytes)).toBe(true)
  })

  it('writes a format-1 MIDI file: a tempo track, then one track per part with every note', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const parsed = parseMusicXml(DEMO_XML)

    const { bytes } = await download(sim, score, 'midi')
    const flute = await download(sim, score, 'midi', '?parts=P1')

    const midi = readMidi(bytes)
    expect(midi.format).toBe(1)
    expect(midi.microsPerQuarter).toBe(500_000)
    expect(midi.tracks.map((track) => track.name)).toEqual(['Hello Flat', 'Flute', 'Cello'])
    expect(midi.tracks[1]?.noteOns).toBe(parsed.notes.filter((note) => note.partId === 'P1').length)
    expect(midi.tracks[2]?.noteOns).toBe(parsed.notes.filter((note) => note.partId === 'P2').length)
    expect(midi.tracks[1]?.keys.slice(0, 2)).toEqual([76, 79])
    expect(readMidi(flute.bytes).tracks.map((track) => track.name)).toEqual(['Hello Flat', 'Flute'])
    expect(hasHighBytes(bytes)).toBe(true)
  })

  it('draws a valid PNG thumbnail with some notes on a white ground', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const { bytes } = await download(sim, score, 'thumbnail.png')

    const png = readPng(bytes)
    expect(png).toMatchObject({ width: 160, height: 90, chunks: ['IHDR', 'IDAT', 'IEND'] })
    expect(png.pixels.length).toBe((160 * 3 + 1) * 90)
    expect(png.pixels.some((byte) => byte < 0x80)).toBe(true)
    expect(hasHighBytes(bytes)).toBe(true)
  })

  it('renders MP3 and WAV of the score’s length, restricted to parts when asked', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const mp3 = await download(sim, score, 'mp3')
    const wav = await download(sim, score, 'wav', '?parts=P1')

    expect(readMp3Frames(mp3.bytes).durationSec).toBeCloseTo(16, 0)
    expect(readWavInfo(wav.bytes).durationSec).toBeCloseTo(16, 1)
    expect(hasHighBytes(mp3.bytes) && hasHighBytes(wav.bytes)).toBe(true)
  })

  it('serves the JSON formats as JSON and flat as gzip', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const json = JSON.parse((await download(sim, score, 'json')).bytes.toString('utf8'))
    const flat = JSON.parse(gunzipSync((await download(sim, score, 'flat')).bytes).toString('utf8'))
    const sync = JSON.parse((await download(sim, score, 'synchronizationPoints')).bytes.toString('utf8'))

    expect(json).toMatchObject({ title: 'Hello Flat', tempoQpm: 120, durationSec: 16 })
    expect(flat).toEqual(json)
    expect(sync.points[0]).toEqual({ type: 'note', index: 0, timeSec: 0 })
  })

  it('serves the same bytes to every download of the same rendering', async () => {
    const sim = await start()
    const score = await importDemo(sim)

    const first = await download(sim, score, 'wav')
    const second = await download(sim, score, 'wav')

    expect(second.location).toBe(first.location)
    expect(second.bytes.equals(first.bytes)).toBe(true)
  })
})

describe('the file host', () => {
  it('logs whether a download carried an Authorization header', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const { location } = await download(sim, score, 'json')

    await fetch(location, { headers: { Authorization: 'Bearer leaked' } })

    expect(sim.fileHost.requests.map((request) => request.authorization)).toEqual([false, true])
  })

  it('answers 404 for an unknown file and 405 for a write', async () => {
    const sim = await start()
    const score = await importDemo(sim)
    const { location } = await download(sim, score, 'json')

    expect((await fetch(`${sim.fileHost.url}/files/nothing`)).status).toBe(404)
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(405)
  })
})

describe('export task results', () => {
  it('point at the API origin by default, which redirects to the file host', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, exportDurationMs: 100 })
    const score = await importDemo(sim)
    const { body } = await call(sim, 'POST', `/v2/scores/${score}/revisions/last/mp3/task`)
    clock.advance(100)

    const task = (await call(sim, 'GET', `/v2/tasks/${(body as Task).id}`)).body as Task
    const redirect = await fetch(task.result?.url ?? '', { redirect: 'manual' })

    expect(task.result?.url).toBe(`${sim.url}/files/${task.id}.mp3`)
    expect(redirect.status).toBe(302)
    expect(new URL(redirect.headers.get('location') ?? '').origin).toBe(sim.fileHost.url)
  })

  it('point at the file host itself with exportUrls: fileHost', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, exportDurationMs: 100, exportUrls: 'fileHost' })
    const score = await importDemo(sim, 'Éxport')
    const { body } = await call(sim, 'POST', `/v2/scores/${score}/revisions/last/wav/task`, { json: { parts: ['P2'] } })
    clock.advance(100)

    const task = (await call(sim, 'GET', `/v2/tasks/${(body as Task).id}`)).body as Task
    const file = await fetch(task.result?.url ?? '')

    expect(new URL(task.result?.url ?? '').origin).toBe(sim.fileHost.url)
    expect(file.headers.get('content-type')).toBe('audio/wav')
    expect(extendedFilename(file.headers.get('content-disposition'))).toBe('Éxport.wav')
    expect(readWavInfo(new Uint8Array(await file.arrayBuffer())).durationSec).toBeCloseTo(16, 1)
  })
})
