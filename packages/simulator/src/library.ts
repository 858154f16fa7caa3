import { parseMusicXml } from './audio/index.js'
import { builtinScoreXml } from './formats/builtin-score.js'
import { seededRandom } from './random.js'
import type { SimUser, SimulatorState } from './state.js'

export interface LibraryOptions {
  /** Scores owned by `me`, listed by `/users/me/scores` and spread over the collections. Default 0. */
  scores?: number
  /** Regular collections of `me`. Default 0. */
  collections?: number
  /** Public scores by other users that `me` likes (`/users/me/likes`). Default 0. */
  likes?: number
  /** Education resources at the root of the library. Default 0. */
  eduResources?: number
  /** Finished OMR jobs (`/omr/jobs`). Default 0. */
  omrJobs?: number
  /** Users of `me`'s organization. Default 0. */
  organizationUsers?: number
  /** Pending organization invitations. Default 0. */
  organizationInvitations?: number
}

export interface LibraryIds {
  readonly scores: readonly string[]
  readonly collections: readonly string[]
  readonly likes: readonly string[]
  readonly eduResources: readonly string[]
  readonly omrJobs: readonly string[]
  readonly organizationUsers: readonly string[]
  readonly organizationInvitations: readonly string[]
}

// Titles mix scripts, accents, emoji and characters that need escaping, so clients show and encode them right.
const FORMS = [
  'Étude',
  'Nocturne',
  'Gymnopédie',
  'Prélude',
  'Fugue',
  'Berceuse',
  'Sonatine',
  'Ballade',
  'Canon',
  'Valse',
]
const QUALIFIERS = [
  'en ré mineur',
  'für Jördis',
  '春の海',
  'Ноктюрн',
  'ὕμνος',
  '🎻 & 🎹',
  'naïve',
  'Øresund',
  '“quoted” / slashed',
  '夜想曲',
  'Ελεύθερη',
  'Łódź 100%',
]
const PEOPLE = ['Zoë Ångström', 'Søren Kierkegård', '李雷', 'Ana María Núñez', 'Ōta Hikari', 'Émile Dupré']

const LIMITS: Readonly<Record<keyof LibraryOptions, number>> = {
  scores: 5000,
  collections: 1000,
  likes: 5000,
  eduResources: 5000,
  omrJobs: 5000,
  organizationUsers: 5000,
  organizationInvitations: 5000,
}

function count(options: LibraryOptions, key: keyof LibraryOptions): number {
  const value = options[key] ?? 0
  if (!(Number.isInteger(value) && value >= 0 && value <= LIMITS[key])) {
    throw new RangeError(`library.${key} must be an integer from 0 to ${LIMITS[key]}, got ${value}`)
  }
  return value
}

/**
 * Fills the state with a library drawn from `seed` alone (its own random sequence), so the same seed gives the same
 * ids and titles whatever else the simulator does. Creation dates step back a minute per item from `now`.
 */
export function seedLibrary(
  state: SimulatorState,
  options: LibraryOptions,
  seed: number,
  addOmrJob: (title: string, createdAt: number) => string,
): LibraryIds {
  const random = seededRandom(seed ^ 0x5eed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const title = (index: number) => `${pick(FORMS)} ${pick(QUALIFIERS)} #${index + 1}`
  const base = state.now()
  const at = (index: number) => base - (index + 1) * 60_000
  // Every seeded score shares the built-in content but its title: parse it once.
  const parsed = parseMusicXml(builtinScoreXml(''))

  const authors: SimUser[] = PEOPLE.map((name, index) => ({
    id: state.newId(),
    username: `composer${index + 1}`,
    name,
    email: `composer${index + 1}@example.com`,
    organizationRole: 'user',
    createdAt: at(index),
  }))
  for (const author of authors) state.users.set(author.id, author)

  const scores: string[] = []
  for (let i = 0; i < count(options, 'scores'); i++) {
    const name = title(i)
    const score = state.addScore({ xml: builtinScoreXml(name), title: name, createdAt: at(i), parsed })
    const author = authors[i % authors.length] as SimUser
    score.collaborators.push({
      id: state.newId(),
      userId: author.id,
      aclRead: true,
      aclWrite: i % 2 === 0,
      aclAdmin: false,
      owner: false,
      date: at(i),
    })
    for (let c = 0; c < 2; c++) {
      const text = c === 0 ? `Bar ${i + 1}: « plus léger » 👍` : 'Tempo feels rushed here'
      score.comments.push({ id: state.newId(), userId: author.id, comment: text, rawComment: text, date: at(i) + c })
    }
    scores.push(score.id)
  }

  const collections: string[] = []
  const collectionCount = count(options, 'collections')
  for (let i = 0; i < collectionCount; i++) {
    const id = state.newId()
    const scoreIds = scores.filter((_, index) => index % collectionCount === i)
    state.collections.set(id, {
      id,
      title: `${pick(QUALIFIERS)} ${i + 1}`,
      createdAt: at(i),
      modifiedAt: at(i),
      scoreIds,
    })
    collections.push(id)
  }

  for (let i = 0; i < count(options, 'likes'); i++) {
    const name = title(i)
    const author = authors[i % authors.length] as SimUser
    const score = state.addScore({
      xml: builtinScoreXml(name),
      title: name,
      ownerId: author.id,
      privacy: 'public',
      createdAt: at(i),
      parsed,
    })
    state.likes.push(score.id)
  }

  const eduResources: string[] = []
  for (let i = 0; i < count(options, 'eduResources'); i++) {
    const id = state.newId()
    state.eduResources.push({ id, type: i % 3 === 0 ? 'folder' : 'assignment', title: title(i), createdAt: at(i) })
    eduResources.push(id)
  }

  const omrJobs: string[] = []
  for (let i = 0; i < count(options, 'omrJobs'); i++) omrJobs.push(addOmrJob(title(i), at(i)))

  const organizationUsers: string[] = []
  const roles = ['user', 'teacher', 'admin'] as const
  for (let i = 0; i < count(options, 'organizationUsers'); i++) {
    const user: SimUser = {
      id: state.newId(),
      username: `member${i + 1}`,
      name: `${pick(PEOPLE)} ${i + 1}`,
      email: `member${i + 1}@example.com`,
      organizationRole: roles[i % 5 === 0 ? (i % 2 === 0 ? 2 : 1) : 0],
      createdAt: at(i),
    }
    state.users.set(user.id, user)
    state.organizationUsers.push(user)
    organizationUsers.push(user.id)
  }

  const organizationInvitations: string[] = []
  for (let i = 0; i < count(options, 'organizationInvitations'); i++) {
    const id = state.newId()
    state.invitations.push({ id, email: `invitee${i + 1}@example.com`, role: roles[i % 3] ?? 'user', createdAt: at(i) })
    organizationInvitations.push(id)
  }

  return {
    scores,
    collections,
    likes: state.likes.slice(),
    eduResources,
    omrJobs,
    organizationUsers,
    organizationInvitations,
  }
}
