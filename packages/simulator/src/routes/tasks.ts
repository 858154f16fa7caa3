import type { SimContext } from '../context.js'
import { fail, ok, type Router } from '../http.js'

export function registerTaskRoutes(router: Router, sim: SimContext): void {
  // The hot path of every wait: one map lookup and one view, nothing else.
  router.add('GET', '/v2/tasks/{task}', {}, ({ params }) => {
    const task = sim.tasks.get(params.task ?? '')
    if (!task) return fail(404, 'TASK_NOT_FOUND', 'Task not found')
    return ok('/tasks/{task}', 'get', 200, sim.tasks.view(task))
  })
}
