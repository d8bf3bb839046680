import { proto, type WAMessageKey } from '@whiskeysockets/baileys';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { Texts } from '../../engine/texts.js';
import type { Choice } from '../../engine/types.js';
import { externalMessageIdOf, senderOf } from './normalize-message.js';
import { renderForWhatsApp } from './render-whatsapp.js';
import type { SentMedia } from './sent-media.js';

/**
 * Baileys' `getMessage`: when a recipient's phone could not decrypt a message and asks for it again,
 * Baileys re-encrypts the original content, which it asks us for. Ours are rebuilt from the stored
 * outbound message (rendering is deterministic); a resident's from the stored inbound text.
 */
export function createMessageLookup(database: Database, texts: Texts, sentMedia?: SentMedia) {
  return async function getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined> {
    if (!key.id) return undefined;
    if (key.fromMe) {
      const [row] = await database.rows<{
        text: string | null;
        choices: Choice[] | null;
        locale: string | null;
        media_id: string | null;
      }>(sql`
        select m.text, m.choices, m.locale, m.media_id from outbox o join messages m on m.id = o.message_id
        where o.channel = 'whatsapp' and o.channel_message_id = ${key.id}
        limit 1`);
      if (!row) return undefined;
      // A staff member's file: the message as it was sent (its upload), never its caption alone as text.
      if (row.media_id) return sentMedia?.get(key.id);
      const text = renderForWhatsApp(
        { text: database.cipher.decryptText(row.text) ?? '', choices: row.choices, locale: row.locale ?? texts.sourceLocale },
        texts,
      );
      return proto.Message.create({ conversation: text });
    }
    const sender = senderOf(key);
    if (!sender) return undefined;
    const [row] = await database.rows<{ text: string | null }>(sql`
      select text from messages
      where channel = 'whatsapp' and direction = 'in' and external_id = ${externalMessageIdOf(sender.jid, key.id)}`);
    return row?.text ? proto.Message.create({ conversation: database.cipher.decryptText(row.text) }) : undefined;
  };
}
