import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { whatsappAuth } from '../../db/schema.js';

/** Where the credentials live in `whatsapp_auth`; keys use their own type (pre-key, session, ...) and id. */
export const CREDS_KEY = { type: 'creds', id: 'creds' } as const;

/** Rows per statement when Baileys stores many keys at once (812 pre-keys right after pairing). */
const CHUNK = 400;

export interface StoredAuthState {
  /** Baileys mutates this object on `creds.update`; `saveCreds` writes it as it is then. */
  creds: AuthenticationCreds;
  /** The database key store, uncached: the channel wraps it with makeCacheableSignalKeyStore. */
  keys: SignalKeyStore;
  saveCreds(): Promise<void>;
}

export interface AuthStateStore {
  /** The stored state, or fresh credentials (a first pairing) when none are stored. */
  load(): Promise<StoredAuthState>;
  /** True when paired credentials are stored (a restart needs no new pairing). */
  isPaired(): Promise<boolean>;
  /** Forgets the credentials and every key: after a logout, the next start pairs anew. */
  clear(): Promise<void>;
}

export const serialize = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
export const deserialize = <T>(text: string): T => JSON.parse(text, BufferJSON.reviver) as T;

/**
 * Baileys' auth state in the database rather than in files (its own multi-file store is "not for
 * production"). Every `set()` is one transaction, so a crash never leaves half a key update; `null`
 * deletes. Handles every key type of v7 (pre-key, session, sender-key, sender-key-memory,
 * app-state-sync-key, app-state-sync-version, lid-mapping, device-list, tctoken, identity-key)
 * the same way: the value is whatever Baileys hands us, serialised with BufferJSON.
 */
export function createAuthStateStore(database: Database): AuthStateStore {
  const { db } = database;

  async function readOne(type: string, id: string): Promise<string | undefined> {
    const [row] = await db
      .select({ value: whatsappAuth.value })
      .from(whatsappAuth)
      .where(and(eq(whatsappAuth.type, type), eq(whatsappAuth.id, id)));
    return row?.value;
  }

  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return found;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await db
          .select({ id: whatsappAuth.id, value: whatsappAuth.value })
          .from(whatsappAuth)
          .where(and(eq(whatsappAuth.type, type), inArray(whatsappAuth.id, ids.slice(i, i + CHUNK))));
        for (const row of rows) {
          let value = deserialize<unknown>(row.value);
          // Stored as a plain object; Baileys expects the protobuf class back.
          if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
          found[row.id] = value as SignalDataTypeMap[T];
        }
      }
      return found;
    },

    async set(data: SignalDataSet) {
      const upserts: { type: string; id: string; value: string }[] = [];
      const deletes = new Map<string, string[]>();
      for (const [type, byId] of Object.entries(data)) {
        for (const [id, value] of Object.entries(byId ?? {})) {
          if (value === null || value === undefined) deletes.set(type, [...(deletes.get(type) ?? []), id]);
          else upserts.push({ type, id, value: serialize(value) });
        }
      }
      if (upserts.length === 0 && deletes.size === 0) return;
      await database.transaction(async (tx) => {
        for (let i = 0; i < upserts.length; i += CHUNK) {
          await tx
            .insert(whatsappAuth)
            .values(upserts.slice(i, i + CHUNK))
            .onConflictDoUpdate({
              target: [whatsappAuth.type, whatsappAuth.id],
              set: { value: sql`excluded.value`, updatedAt: sql`now()` },
            });
        }
        for (const [type, ids] of deletes) {
          for (let i = 0; i < ids.length; i += CHUNK) {
            await tx
              .delete(whatsappAuth)
              .where(and(eq(whatsappAuth.type, type), inArray(whatsappAuth.id, ids.slice(i, i + CHUNK))));
          }
        }
      });
    },

    async clear() {
      await db.delete(whatsappAuth);
    },
  };

  return {
    async load() {
      const stored = await readOne(CREDS_KEY.type, CREDS_KEY.id);
      const creds = stored ? deserialize<AuthenticationCreds>(stored) : initAuthCreds();
      return {
        creds,
        keys,
        saveCreds: async () => {
          const value = serialize(creds);
          await db
            .insert(whatsappAuth)
            .values({ ...CREDS_KEY, value })
            .onConflictDoUpdate({ target: [whatsappAuth.type, whatsappAuth.id], set: { value, updatedAt: sql`now()` } });
        },
      };
    },
    async isPaired() {
      const stored = await readOne(CREDS_KEY.type, CREDS_KEY.id);
      return stored ? Boolean(deserialize<AuthenticationCreds>(stored).me?.id) : false;
    },
    async clear() {
      await db.delete(whatsappAuth);
    },
  };
}
