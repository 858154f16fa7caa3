// Bundle entry: one typed call and one wait through @flat-api/sdk.
import { createFlatClient } from '@flat-api/sdk'

export async function run(baseUrl: string, accessToken: string, score: string, task: string): Promise<unknown[]> {
  const flat = createFlatClient({ baseUrl, accessToken })
  const { data } = await flat.raw.GET('/scores/{score}', { params: { path: { score } } })
  const done = await flat.tasks.wait(task)
  return [data, done]
}
