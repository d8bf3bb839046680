import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { WhatsAppSocket } from './whatsapp-socket.js';

/** A download that went over the cap: the resident gets the "too large" reply, nothing is stored. */
export class MediaTooLarge extends Error {}

/** Fetches and decrypts one media message, reading at most `maxBytes`. Injectable: tests have no WhatsApp CDN. */
export type MediaDownloader = (
  message: WAMessage,
  context: { socket: WhatsAppSocket; maxBytes: number; logger: ILogger },
) => Promise<Uint8Array>;

/**
 * Baileys' downloadMediaMessage as a stream, stopped as soon as it passes the cap (a lying fileLength
 * cannot make us hold more). Expired media is re-requested from the sender's phone once.
 */
export const baileysMediaDownloader: MediaDownloader = async (message, { socket, maxBytes, logger }) => {
  const stream = await downloadMediaMessage(
    message,
    'stream',
    {},
    {
      logger,
      reuploadRequest: (m) =>
        socket.updateMediaMessage ? socket.updateMediaMessage(m) : Promise.reject(new Error('no re-upload')),
    },
  );
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      stream.destroy();
      throw new MediaTooLarge();
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
};
