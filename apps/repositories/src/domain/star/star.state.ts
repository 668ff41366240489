import { REPOSITORIES_EVENTS } from '@dockyard/contracts';
import { StarEvent } from './star.events';

/** One user's star on one life of a repository: on or off. */
export interface StarState {
  starred: boolean;
}

export const evolveStar = (state: StarState, event: StarEvent): StarState => ({
  starred: event.type === REPOSITORIES_EVENTS.RepositoryStarred,
});

export const foldStar = (events: StarEvent[]): StarState => events.reduce(evolveStar, { starred: false });
