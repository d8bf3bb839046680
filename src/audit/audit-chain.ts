import { createHash } from 'node:crypto';

/** The `prev_hash` of the first entry of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of one audit entry that its hash covers, as stored. */
export interface ChainedFields {
  id: number;
  /** The entry's time in ISO 8601 UTC with milliseconds (`Date.toISOString()`). */
  at: string;
  actorId: string;
  actorName: string;
  onBehalfOf: string;
  via: string | null;
  action: string;
  outcome: string;
  residentId: string | null;
  handoffId: string | null;
  detail: Record<string, unknown> | null;
  prevHash: string;
}

/**
 * JSON with the keys of every object sorted (by UTF-16 code units), no whitespace, `undefined`
 * members left out: the same value always gives the same text, whatever order jsonb hands keys back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * An entry's hash: SHA-256 (hex) of the canonical JSON of its fields and the previous entry's hash,
 * `{"action","actorId","actorName","at","detail","handoffId","id","onBehalfOf","outcome","prevHash","residentId","v":1,"via"}`.
 */
export function entryHash(f: ChainedFields): string {
  const covered = {
    v: 1,
    id: f.id,
    at: f.at,
    actorId: f.actorId,
    actorName: f.actorName,
    onBehalfOf: f.onBehalfOf,
    via: f.via,
    action: f.action,
    outcome: f.outcome,
    residentId: f.residentId,
    handoffId: f.handoffId,
    detail: f.detail,
    prevHash: f.prevHash,
  };
  return createHash('sha256').update(canonicalJson(covered), 'utf8').digest('hex');
}
