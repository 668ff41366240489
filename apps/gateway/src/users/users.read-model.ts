import { Pool } from 'pg';
import { PROJECTIONS, READ_SCHEMA, userStreamId } from '@dockyard/contracts';
import { appliedVersion } from '@dockyard/eventstore';
import { HOT } from '../hot/hot-keys';
import { HotReads } from '../hot/hot-reads';

export interface UserView {
  username: string;
  emails: string[];
  active: boolean;
  admin: boolean;
  credentialsVersion: number;
}

/** Queries on read.users (built by the projector), through the hot view when one is given. */
export class UsersReadModel {
  constructor(
    private readonly pool: Pool,
    private readonly hot?: HotReads,
  ) {}

  /** The user's row; `since`: the instant (a request's arrival) whose earlier changes it shows (HotView.read). */
  find(username: string, since?: number): Promise<UserView | undefined> {
    const load = async (): Promise<UserView | undefined> => {
      const { rows } = await this.pool.query(
        'SELECT username, emails, active, admin, credentials_version FROM read.users WHERE username = $1',
        [username],
      );
      const row = rows[0];
      return row && {
        username: row.username,
        emails: row.emails,
        active: row.active,
        admin: row.admin,
        credentialsVersion: row.credentials_version,
      };
    };
    return this.hot ? this.hot.read(HOT.user(username), load, undefined, since) : load();
  }

  /** Whether read.users has applied the user's stream up to `streamVersion` (its projection's checkpoint). */
  async shows(username: string, streamVersion: number): Promise<boolean> {
    return (await appliedVersion(this.pool, READ_SCHEMA, PROJECTIONS.users, userStreamId(username))) >= streamVersion;
  }
}
