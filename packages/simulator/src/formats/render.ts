import { gzipSync } from 'node:zlib'
import { type ParsedScore, parseMusicXml, renderAudio } from '../audio/index.js'
import { keepParts } from './builtin-score.js'
import { encodeMidi } from './midi.js'
import { writeMxl } from './mxl.js'
import { renderThumbnail } from './thumbnail.js'

export const REVISION_FORMATS = [
  'json',
  'mxl',
  'xml',
  'mp3',
  'wav',
  'midi',
  'flat',
  'thumbnail.png',
  'synchronizationPoints',
] as const

export type RevisionFormat = (typeof REVISION_FORMATS)[number]

/** Content type and filename extension of each format, as Flat's file host serves them. */
export const FORMAT_FILES: Readonly<Record<RevisionFormat, { contentType: string; extension: string }>> = {
  json: { contentType: 'application/json', extension: 'json' },
  mxl: { contentType: 'application/vnd.recordare.musicxml', extension: 'mxl' },
  xml: { contentType: 'application/vnd.recordare.musicxml+xml', extension: 'musicxml' },
  mp3: { contentType: 'audio/mp3', extension: 'mp3' },
  wav: { contentType: 'audio/wav', extension: 'wav' },
  midi: { contentType: 'audio/midi', extension: 'mid' },
  flat: { contentType: 'application/octet-stream', extension: 'flat' },
  'thumbnail.png': { contentType: 'image/png', extension: 'png' },
  synchronizationPoints: { contentType: 'application/json', extension: 'json' },
}

export function isRevisionFormat(value: string): value is RevisionFormat {
  return (REVISION_FORMATS as readonly string[]).includes(value)
}

/** A JSON rendering of the parsed score; the simulator's stand-in for Flat's own JSON formats. */
function scoreJson(score: ParsedScore, partIds: readonly string[] | undefined): object {
  const notes = partIds ? score.notes.filter((note) => partIds.includes(note.partId)) : score.notes
  return {
    title: score.title,
    tempoQpm: score.tempoQpm,
    durationSec: score.durationSec,
    parts: partIds ? score.parts.filter((part) => partIds.includes(part.id)) : score.parts,
    notes,
  }
}

/** One point per distinct note onset, in seconds: enough for a player to follow along. */
function synchronizationPoints(score: ParsedScore): object {
  const times = [...new Set(score.notes.map((note) => note.startSec))].sort((a, b) => a - b)
  return { points: times.map((timeSec, index) => ({ type: 'note', index, timeSec })), durationSec: score.durationSec }
}

/** The bytes of one revision in one format, optionally restricted to some parts (already validated). */
export function renderRevision(xml: string, format: RevisionFormat, partIds?: readonly string[]): Uint8Array {
  switch (format) {
    case 'xml':
      return Buffer.from(partIds ? keepParts(xml, partIds) : xml, 'utf8')
    case 'mxl':
      return writeMxl(partIds ? keepParts(xml, partIds) : xml)
    case 'mp3':
    case 'wav':
      return renderAudio(xml, format, partIds ? { partIds } : {}).bytes
    case 'midi':
      return encodeMidi(parseMusicXml(xml), partIds)
    case 'thumbnail.png':
      return renderThumbnail(parseMusicXml(xml), partIds)
    case 'json':
      return Buffer.from(JSON.stringify(scoreJson(parseMusicXml(xml), partIds)))
    case 'flat':
      return gzipSync(JSON.stringify(scoreJson(parseMusicXml(xml), partIds)))
    case 'synchronizationPoints':
      return Buffer.from(JSON.stringify(synchronizationPoints(parseMusicXml(xml))))
  }
}
