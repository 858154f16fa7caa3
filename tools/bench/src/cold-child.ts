/**
 * One cold start: a fresh process imports one client, builds it and gets one task. Compiled to plain JavaScript
 * before it runs, so no TypeScript loader is timed. Prints `{ importMs, firstRequestMs, sinceStartMs }`.
 */
const [peer, baseUrl = '', taskId = ''] = process.argv.slice(2)
const { hostname } = new URL(baseUrl)
if (hostname !== '127.0.0.1' && hostname !== '[::1]') throw new Error(`refusing to send to ${hostname}`)
const token = 'bench-token'

const importStartedAt = performance.now()
let getTask: (id: string) => Promise<unknown>
switch (peer) {
  case 'fetch':
    getTask = async (id) => {
      const response = await fetch(`${baseUrl}/tasks/${encodeURIComponent(id)}`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      return response.json()
    }
    break
  case 'openapi-fetch': {
    const { default: createClient } = await import('openapi-fetch')
    const client = createClient<import('@flat-api/raw').paths>({
      baseUrl,
      headers: { Authorization: `Bearer ${token}` },
    })
    getTask = async (id) => (await client.GET('/tasks/{task}', { params: { path: { task: id } } })).data
    break
  }
  case 'raw': {
    const { createRawClient } = await import('@flat-api/raw')
    const client = createRawClient({ baseUrl, accessToken: token })
    getTask = async (id) => (await client.GET('/tasks/{task}', { params: { path: { task: id } } })).data
    break
  }
  case 'sdk': {
    const { createFlatClient } = await import('@flat-api/sdk')
    const flat = createFlatClient({ baseUrl, accessToken: token })
    getTask = (id) => flat.tasks.get(id)
    break
  }
  case 'flat-api': {
    const { FlatClient } = await import('flat-api')
    const client = new FlatClient({ baseUrl, accessToken: token })
    getTask = (id) => client.tasks.getTask({ task: id })
    break
  }
  default:
    throw new Error(`unknown client ${peer}`)
}
const importedAt = performance.now()
const task = (await getTask(taskId)) as { id?: string } | undefined
const doneAt = performance.now()
if (task?.id !== taskId) throw new Error(`${peer} did not return task ${taskId}`)
process.stdout.write(
  JSON.stringify({ importMs: importedAt - importStartedAt, firstRequestMs: doneAt - importedAt, sinceStartMs: doneAt }),
)
