import type { Db } from '../../db/database.js';
import type { UserRepository } from '../types.js';
import { rethrowDataError } from './database-errors.js';
import { toUser } from './rows.js';

const USER_COLUMNS = [
  'id',
  'created_at',
  'updated_at',
  'deleted_at',
  'username',
  'first_name',
  'last_name',
  'mobile_number',
] as const;

/** Users in SQL (soft-deleted rows are invisible). */
export function sqlUserRepository(db: Db): UserRepository {
  return {
    create: (ctx, user) =>
      db
        .scoped(ctx, (k) =>
          k
            .insertInto('users')
            .values({
              username: user.username,
              hashed_password: user.hashedPassword,
              first_name: user.firstName,
              last_name: user.lastName,
              mobile_number: user.mobileNumber,
            })
            .returning(USER_COLUMNS)
            .executeTakeFirstOrThrow(),
        )
        .then(toUser, rethrowDataError),

    findById: async (ctx, id) => {
      const row = await db.scoped(ctx, (k) =>
        k
          .selectFrom('users')
          .select(USER_COLUMNS)
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst(),
      );
      return row && toUser(row);
    },

    findCredentials: async (ctx, username) => {
      const row = await db.scoped(ctx, (k) =>
        k
          .selectFrom('users')
          .select([...USER_COLUMNS, 'hashed_password'])
          .where('username', '=', username)
          .where('deleted_at', 'is', null)
          .executeTakeFirst(),
      );
      return row && { user: toUser(row), hashedPassword: row.hashed_password };
    },

    listExcept: async (ctx, id) => {
      const rows = await db.scoped(ctx, (k) =>
        k
          .selectFrom('users')
          .select(USER_COLUMNS)
          .where('id', '<>', id)
          .where('deleted_at', 'is', null)
          .orderBy('id')
          .execute(),
      );
      return rows.map(toUser);
    },

    missingIds: async (ctx, ids) => {
      if (ids.length === 0) return [];
      const rows = await db.scoped(ctx, (k) =>
        k
          .selectFrom('users')
          .select('id')
          .where('id', 'in', [...ids])
          .where('deleted_at', 'is', null)
          .execute(),
      );
      const found = new Set(rows.map((r) => r.id));
      return [...new Set(ids)].filter((id) => !found.has(id));
    },
  };
}
