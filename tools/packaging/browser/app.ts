// A page that uses @flat-api/sdk from another origin than the API: import a score, export it to MP3 while showing
// the task's progress, then download the file. The page URL says where the API is and which score to load.
import type { Task } from '@flat-api/raw'
import { createFlatClient } from '@flat-api/sdk'
import type { PageResult, ShownProgress } from './result.js'

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id)
  if (!(found instanceof type)) throw new Error(`#${id} is missing from the page`)
  return found
}

const statusText = element('status', HTMLOutputElement)
const progressBar = element('progress', HTMLProgressElement)
const progressText = element('progress-text', HTMLSpanElement)
const stateText = element('state', HTMLElement)
const bytesText = element('bytes', HTMLElement)
const shown: ShownProgress[] = []

function show(task: Task): void {
  const percent = task.progress?.percent
  shown.push({ state: task.state, percent })
  if (percent !== undefined) {
    progressBar.value = percent
    progressText.textContent = `${percent}%`
  } else if (task.progress?.text) {
    progressText.textContent = task.progress.text
  }
  stateText.textContent = task.state
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name)
  if (!value) throw new Error(`the page URL needs ?${name}=`)
  return value
}

async function run(): Promise<PageResult> {
  const params = new URLSearchParams(location.search)
  const flat = createFlatClient({
    accessToken: required(params, 'token'),
    baseUrl: required(params, 'api'),
    polling: { initialDelayMs: 100, maxDelayMs: 200, jitter: 0 },
  })

  statusText.value = 'Importing the score'
  const xml = await (await fetch(required(params, 'score'))).text()
  const { data: score, error } = await flat.raw.POST('/scores', { body: { title: 'Browser export', data: xml } })
  if (!score) throw new Error(`import failed: ${JSON.stringify(error)}`)

  statusText.value = 'Exporting to MP3'
  const task = await flat.scores.export(score.id, { format: 'mp3', onProgress: show })
  show(task)

  statusText.value = 'Downloading'
  const url = task.result?.url
  if (!url) throw new Error(`task ${task.id} is done but has no result url`)
  const response = await fetch(url)
  if (!response.ok) throw new Error(`download failed with ${response.status}`)
  const file = new Uint8Array(await response.arrayBuffer())
  bytesText.textContent = `${file.byteLength} bytes`
  statusText.value = 'Done'
  return {
    ok: true,
    scoreId: score.id,
    taskId: task.id,
    state: task.state,
    shown,
    bytes: file.byteLength,
    contentType: response.headers.get('Content-Type'),
    head: [...file.subarray(0, 4)],
  }
}

run()
  .catch((error: unknown): PageResult => {
    statusText.value = 'Failed'
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  })
  .then((result) => {
    window.flatResult = result
  })
