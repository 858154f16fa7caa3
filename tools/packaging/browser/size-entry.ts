// What the size budget measures: a page that starts an export with one typed call and waits for the task.
import { createFlatClient } from '@flat-api/sdk'

export async function exportToMp3(baseUrl: string, accessToken: string, score: string): Promise<string | undefined> {
  const flat = createFlatClient({ accessToken, baseUrl })
  const { data } = await flat.raw.POST('/scores/{score}/revisions/{revision}/{format}/task', {
    params: { path: { score, revision: 'last', format: 'mp3' } },
  })
  if (!data) return undefined
  const task = await flat.tasks.wait(data.id)
  return task.result?.url
}
