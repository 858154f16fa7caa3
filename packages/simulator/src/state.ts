import type {
  Collection,
  EduResource,
  OrganizationInvitation,
  ResourceCollaborator,
  ScoreComment,
  ScoreDetails,
  ScoreRevision,
  UserDetailsAdmin,
  UserPublic,
} from '@flat-api/raw'
import { type ParsedScore, parseMusicXml } from './audio/index.js'

export interface SimUser {
  id: string
  username: string
  name: string
  email: string
  organizationRole: 'admin' | 'teacher' | 'user'
  createdAt: number
}

export interface SimCollaborator {
  id: string
  userId?: string
  userEmail?: string
  group?: string
  aclRead: boolean
  aclWrite: boolean
  aclAdmin: boolean
  owner: boolean
  date: number
}

export interface SimComment {
  id: string
  userId: string
  comment: string
  rawComment: string
  date: number
  modifiedAt?: number
  revision?: string
  replyTo?: string
}

export interface SimScore {
  id: string
  revision: string
  title: string
  xml: string
  partIds: string[]
  partNames: string[]
  durationSec: number
  tempoQpm: number
  createdAt: number
  modifiedAt: number
  ownerId: string
  privacy: 'public' | 'private'
  /** Before this instant the score does not exist yet (an import still running). */
  availableAt: number
  collaborators: SimCollaborator[]
  comments: SimComment[]
}

export interface SimCollection {
  id: string
  title: string
  createdAt: number
  modifiedAt: number
  scoreIds: string[]
}

export interface SimEduResource {
  id: string
  type: 'assignment' | 'folder'
  title: string
  createdAt: number
}

export interface SimInvitation {
  id: string
  email: string
  role: 'admin' | 'teacher' | 'user'
  createdAt: number
}

/** The user every accepted token acts as (`me`). */
export const ME: SimUser = {
  id: 'simulator-user',
  username: 'simulator',
  name: 'Simulator',
  email: 'simulator@example.com',
  organizationRole: 'admin',
  createdAt: 0,
}

/** Collection ids that stand for the user's whole library rather than a folder. */
export const ALL_SCORES = 'allScores'

export class SimulatorState {
  readonly scores = new Map<string, SimScore>()
  readonly users = new Map<string, SimUser>([[ME.id, ME]])
  readonly collections = new Map<string, SimCollection>()
  /** Ids of scores by others that `me` likes, most recent first. */
  readonly likes: string[] = []
  readonly eduResources: SimEduResource[] = []
  readonly organizationUsers: SimUser[] = []
  readonly invitations: SimInvitation[] = []

  constructor(
    readonly now: () => number,
    readonly newId: () => string,
    /** Origin of the API, known once it listens. */
    private readonly origin: () => string,
  ) {}

  /** A score that exists now, or undefined. */
  score(id: string): SimScore | undefined {
    const score = this.scores.get(id)
    return score && this.now() >= score.availableAt ? score : undefined
  }

  /** `me`'s scores, pending imports left out, oldest first. */
  myScores(): SimScore[] {
    const now = this.now()
    return [...this.scores.values()].filter((score) => score.ownerId === ME.id && now >= score.availableAt)
  }

  /** Counts toward a quota: every score of `me`, pending imports included. */
  ownedScoreCount(): number {
    let count = 0
    for (const score of this.scores.values()) if (score.ownerId === ME.id) count += 1
    return count
  }

  resolveUser(id: string): SimUser | undefined {
    return this.users.get(id === 'me' ? ME.id : id)
  }

  /** Adds a score from MusicXML; throws `TypeError` when the XML cannot be read. */
  addScore(init: {
    xml: string
    title?: string
    ownerId?: string
    privacy?: 'public' | 'private'
    availableAt?: number
    createdAt?: number
    /** The parse of `xml`, when the caller has it already. */
    parsed?: Pick<ParsedScore, 'title' | 'parts' | 'durationSec' | 'tempoQpm'>
  }): SimScore {
    const parsed = init.parsed ?? parseMusicXml(init.xml)
    const createdAt = init.createdAt ?? this.now()
    const ownerId = init.ownerId ?? ME.id
    const score: SimScore = {
      id: this.newId(),
      revision: this.newId(),
      title: init.title ?? parsed.title,
      xml: init.xml,
      partIds: parsed.parts.map((part) => part.id),
      partNames: parsed.parts.map((part) => part.name),
      durationSec: parsed.durationSec,
      tempoQpm: parsed.tempoQpm,
      createdAt,
      modifiedAt: createdAt,
      ownerId,
      privacy: init.privacy ?? 'private',
      availableAt: init.availableAt ?? createdAt,
      collaborators: [],
      comments: [],
    }
    score.collaborators.push({
      id: this.newId(),
      userId: ownerId,
      aclRead: true,
      aclWrite: true,
      aclAdmin: true,
      owner: true,
      date: createdAt,
    })
    this.scores.set(score.id, score)
    return score
  }

  collectionsOf(scoreId: string): string[] {
    const ids: string[] = []
    for (const collection of this.collections.values())
      if (collection.scoreIds.includes(scoreId)) ids.push(collection.id)
    return ids
  }

  // Views: the spec's shapes, built from the state above.

  userPublic(user: SimUser): UserPublic {
    return {
      id: user.id,
      type: 'user',
      product: 'flat',
      username: user.username,
      name: user.name,
      printableName: user.name,
      picture: null,
      htmlUrl: `${this.origin()}/@${encodeURIComponent(user.username)}`,
    }
  }

  userAdmin(user: SimUser): UserDetailsAdmin {
    return {
      ...this.userPublic(user),
      email: user.email,
      organizationRole: user.organizationRole,
      lastActivityDate: new Date(user.createdAt).toISOString(),
    }
  }

  viewScore(score: SimScore): ScoreDetails {
    const owner = this.users.get(score.ownerId) ?? ME
    return {
      id: score.id,
      title: score.title,
      privacy: score.privacy,
      user: this.userPublic(owner),
      htmlUrl: `${this.origin()}/score/${score.id}`,
      editHtmlUrl: `${this.origin()}/score/${score.id}/edit`,
      creationDate: new Date(score.createdAt).toISOString(),
      modificationDate: new Date(score.modifiedAt).toISOString(),
      collaborators: score.collaborators.map((collaborator) => this.viewCollaborator(score, collaborator)),
      instruments: score.partIds.map(() => 'keyboard.piano'),
      instrumentsNames: score.partNames,
      samples: score.partIds.map(() => 'piano'),
      durationTime: score.durationSec,
      mainTempoQpm: score.tempoQpm,
      creationType: 'original',
      collections: this.collectionsOf(score.id),
      me: { isLiked: this.likes.includes(score.id), isInLibrary: score.ownerId === ME.id },
    }
  }

  viewRevision(score: SimScore): ScoreRevision {
    return {
      id: score.revision,
      score: score.id,
      user: score.ownerId,
      date: new Date(score.createdAt).toISOString(),
      autosave: false,
    }
  }

  viewCollaborator(score: SimScore, collaborator: SimCollaborator): ResourceCollaborator {
    const view: ResourceCollaborator = {
      id: collaborator.id,
      score: score.id,
      date: new Date(collaborator.date).toISOString(),
      aclRead: collaborator.aclRead,
      aclWrite: collaborator.aclWrite,
      aclAdmin: collaborator.aclAdmin,
      isCollaborator: true,
      collaboratorType: collaborator.owner ? 'owner' : collaborator.group ? 'group' : 'user',
    }
    const user = collaborator.userId ? this.users.get(collaborator.userId) : undefined
    if (user) view.user = this.userPublic(user)
    if (collaborator.userEmail) {
      view.userEmail = collaborator.userEmail
      view.invited = true
    }
    if (collaborator.group) view.group = { id: collaborator.group }
    return view
  }

  viewComment(score: SimScore, comment: SimComment): ScoreComment {
    const view: ScoreComment = {
      id: comment.id,
      type: 'document',
      user: comment.userId,
      score: score.id,
      comment: comment.comment,
      rawComment: comment.rawComment,
      date: new Date(comment.date).toISOString(),
    }
    if (comment.modifiedAt !== undefined) view.modificationDate = new Date(comment.modifiedAt).toISOString()
    if (comment.revision) view.revision = comment.revision
    if (comment.replyTo) view.replyTo = comment.replyTo
    return view
  }

  viewCollection(collection: SimCollection): Collection {
    return {
      id: collection.id,
      title: collection.title,
      htmlUrl: `${this.origin()}/collection/${collection.id}`,
      type: 'regular',
      privacy: 'private',
      creationDate: new Date(collection.createdAt).toISOString(),
      modificationDate: new Date(collection.modifiedAt).toISOString(),
      user: this.userPublic(ME),
      rights: { aclRead: true, aclWrite: true, aclAdmin: true, isCollaborator: true, collaboratorType: 'owner' },
      capabilities: { canEdit: true, canShare: true, canDelete: true, canAddScores: true, canDeleteScores: true },
      contents: { scoresCount: collection.scoreIds.filter((id) => this.score(id)).length },
    }
  }

  viewEduResource(resource: SimEduResource): EduResource {
    const created = new Date(resource.createdAt).toISOString()
    return {
      id: resource.id,
      type: resource.type,
      title: resource.title,
      creator: ME.id,
      privacy: 'private',
      creationDate: created,
      updateDate: created,
      capabilities: {
        canEdit: true,
        canAddResources: resource.type === 'folder',
        canAddFolders: resource.type === 'folder',
        canChangePrivacy: true,
      },
    }
  }

  viewInvitation(invitation: SimInvitation): OrganizationInvitation {
    return {
      id: invitation.id,
      creationDate: new Date(invitation.createdAt).toISOString(),
      organization: 'simulator-organization',
      organizationRole: invitation.role,
      customCode: null,
      email: invitation.email,
      invitedBy: ME.id,
      htmlUrl: `${this.origin()}/join/${invitation.id}`,
      allowMultipleUse: false,
      usedBy: [],
    }
  }
}
