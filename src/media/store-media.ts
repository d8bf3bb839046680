import { and, eq } from 'drizzle-orm';
import type { ChannelName, InboundMessage } from '../conversation/inbound-message.js';
import type { Database } from '../db/database.js';
import { media, messages, residents } from '../db/schema.js';
import type { MediaKind } from '../engine/types.js';

/**
 * Content types kept as they are. The web chat refuses anything else; a file from Telegram or WhatsApp
 * of another type is kept as application/octet-stream, so it is only ever offered as a download.
 * Never SVG or HTML.
 */
export const ALLOWED_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'audio/webm',
  'audio/ogg',
  'audio/mp4',
  'audio/mpeg',
  'audio/aac',
  'audio/wav',
  'audio/x-wav',
  'image/jpeg',
  'image/png',
  'image/webp',
  'application/pdf',
  'video/mp4',
]);

/** The bare content type, without parameters such as codecs. */
export function baseContentType(contentType: string | undefined | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Stores a file a resident sent, before the message that refers to it is handled. Upserts the
 * resident because media belong to one and a first message may be a voice note.
 */
export async function storeMedia(
  database: Database,
  input: { channel: ChannelName; externalUserId: string; kind: MediaKind; contentType: string; bytes: Uint8Array },
): Promise<string> {
  return database.transaction(async (tx) => {
    const [resident] = await tx
      .insert(residents)
      .values({ channel: input.channel, externalId: input.externalUserId })
      .onConflictDoUpdate({ target: [residents.channel, residents.externalId], set: { channel: input.channel } })
      .returning({ id: residents.id });
    const [row] = await tx
      .insert(media)
      .values({
        residentId: resident!.id,
        kind: input.kind,
        contentType: baseContentType(input.contentType),
        byteSize: input.bytes.byteLength,
        content: database.cipher.encryptBytes(input.bytes),
      })
      .returning({ id: media.id });
    return row!.id;
  });
}

/**
 * True when this resident's inbound message of that id was stored before (a re-delivery, a retried
 * upload): its file must not be fetched or stored again. Per resident, as the dedup index is.
 */
export async function inboundAlreadyStored(
  database: Database,
  message: Pick<InboundMessage, 'channel' | 'externalUserId' | 'externalMessageId'>,
): Promise<boolean> {
  const [row] = await database.db
    .select({ id: messages.id })
    .from(messages)
    .innerJoin(residents, eq(residents.id, messages.residentId))
    .where(
      and(
        eq(residents.channel, message.channel),
        eq(residents.externalId, message.externalUserId),
        eq(messages.externalId, message.externalMessageId),
        eq(messages.direction, 'in'),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Deletes a file just stored whose message turned out to be a duplicate (two uploads of one message at
 * the same moment, on two instances): nothing points at it, and only the caller knows its id.
 */
export async function deleteUnusedMedia(database: Database, mediaId: string): Promise<void> {
  await database.db.delete(media).where(eq(media.id, mediaId));
}

/**
 * Stores a file a channel received with an inbound message and returns the message pointing at it.
 * A type outside the allowlist is kept as application/octet-stream, so it is only ever a download.
 */
export async function attachReceivedFile(
  database: Database,
  inbound: InboundMessage,
  file: { kind: MediaKind; contentType: string; bytes: Uint8Array },
): Promise<InboundMessage> {
  const contentType = ALLOWED_MEDIA_TYPES.has(baseContentType(file.contentType)) ? file.contentType : 'application/octet-stream';
  const mediaId = await storeMedia(database, {
    channel: inbound.channel,
    externalUserId: inbound.externalUserId,
    kind: file.kind,
    contentType,
    bytes: file.bytes,
  });
  return { ...inbound, media: { kind: file.kind, mediaId } };
}
