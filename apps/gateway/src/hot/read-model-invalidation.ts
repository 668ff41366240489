import { PROJECTIONS } from '@dockyard/contracts';
import { ReadModelChange } from '@dockyard/eventstore';
import { ReadModelChangeListener } from './read-model-changes';
import { HOT } from './hot-keys';
import { HotView } from './hot-view';
import { RepositoryCounters } from './repository-counters';

const after = (prefix: string, streamId: string) => (streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined);

/**
 * Applies the read models' changes to the hot view. Why this is complete — every row the view holds
 * is written only by the changes mapped here:
 *
 * - `read.repositories` rows: by the `repositories` projection, whose every event names its
 *   `repositoryId` (created, updated, deleted, starred, unstarred → tag `repository(id)`, which the
 *   row, its image list and its tags carry); a creation also names its namespace and name (key
 *   `repositoryByName`), which covers a newer life evicting an older one of that name in the same
 *   transaction (the evicted life's lists are then reachable from no cached row, and it never comes
 *   back: lives have fresh ids). Their counters by the activity projection (`counters`, patched in
 *   place: they only grow). A rebuild's swap replaces the tables (`flush`).
 * - `read.repository_images`, `read.tags`: by the `images` projection (every event names its
 *   `repositoryId` → tag `repositoryLists(id)`) and by a repository's burial above.
 * - `read.images`: by the `image-metadata` projection, every event naming `namespace` and `imageId`
 *   (stream `image-<namespace>/<id>`) → the image's key, and tag `namespaceImages(namespace)` for
 *   the ancestries of that namespace (a chain reads several rows of it).
 * - `read.users`: by the `users` projection, stream `user-<username>` → key `user(username)`.
 *
 * Other projections (organizations, audit) write nothing the view holds. A change whose subjects
 * could not be named, or a payload this version cannot read, flushes the whole view, as do missed
 * notifications (the LISTEN session was lost).
 */
export class ReadModelInvalidation implements ReadModelChangeListener {
  constructor(
    private readonly view: HotView,
    private readonly counters: RepositoryCounters,
  ) {}

  changed(change: ReadModelChange): void {
    switch (change.kind) {
      case 'flush':
        return this.missed();
      case 'counters':
        return this.counters.announce(change, this.view);
      case 'applied':
        return this.applied(change);
      case 'barrier':
        return; // names no row: it only carries earlier changes to this session (announceBarrier)
    }
  }

  missed(): void {
    this.view.flush();
    this.counters.forget();
  }

  private applied(change: Extract<ReadModelChange, { kind: 'applied' }>): void {
    const subjects = change.subjects ?? {};
    switch (change.consumer) {
      case PROJECTIONS.repositories: {
        if (!subjects.repositoryId) return this.missed();
        this.view.invalidate(HOT.repository(subjects.repositoryId));
        if (subjects.namespace && subjects.name) this.view.invalidate(HOT.repositoryByName(subjects.namespace, subjects.name));
        return;
      }
      case PROJECTIONS.images:
        if (!subjects.repositoryId) return this.missed();
        return this.view.invalidate(HOT.repositoryLists(subjects.repositoryId));
      case PROJECTIONS.imageMetadata: {
        const image = after('image-', change.streamId);
        const slash = image?.lastIndexOf('/') ?? -1;
        const namespace = subjects.namespace ?? (slash > 0 ? image!.slice(0, slash) : undefined);
        const imageId = subjects.imageId ?? (slash > 0 ? image!.slice(slash + 1) : undefined);
        if (!namespace || !imageId) return; // streams from before images had a namespace fold nothing
        this.view.invalidate(HOT.image(namespace, imageId));
        return this.view.invalidate(HOT.namespaceImages(namespace));
      }
      case PROJECTIONS.users: {
        const username = subjects.username ?? after('user-', change.streamId);
        if (!username) return this.missed();
        return this.view.invalidate(HOT.user(username));
      }
      default:
        return;
    }
  }
}
