import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/engine/types.js';
import type { ChannelAdapter, Recipient } from '../../../src/outbox/channel-adapter.js';

/**
 * The contract every channel adapter keeps with the outbox (src/outbox/channel-adapter.ts), as one
 * suite each channel runs against a fake of its own (adapter-contract.test.ts): send, long texts,
 * choices, deletion, and what each kind of failure means for trying again. A new channel (the Cloud
 * API) adds a harness there and passes the same cases.
 */

/** A file as the resident's chat shows it: in the chat as a photo, or as a document to open. */
export interface ShownFile {
  shownAs: 'photo' | 'document';
  bytes: Uint8Array;
  name: string | undefined;
  caption: string;
}

/** The failures a channel can report; each harness says which its channel has. */
export type FailureKind = 'wait' | 'blocked' | 'transient' | 'refused';

export interface AdapterHarness {
  adapter: ChannelAdapter;
  recipient: Recipient;
  /** The most characters one message on the channel holds. */
  textLimit: number;
  /**
   * What the resident's screen shows of our messages, oldest first, each as its text followed by its
   * buttons' labels; null for a channel whose page reads the stored messages itself (the web chat).
   */
  shown(): string[] | null;
  /**
   * The photos and documents the resident's chat shows, oldest first (issue 15: a trust person's file):
   * how the channel shows it, its bytes, its name where the channel shows one, and its caption. Absent
   * for a channel whose page reads the stored messages itself (the web chat).
   */
  filesShown?(): ShownFile[];
  /** For a channel without a screen to read: resolves true once a send reached the resident's open page. */
  nextDelivery?(): Promise<boolean>;
  /** Makes the next send (or deletion) fail the way the channel does. */
  failNext(kind: FailureKind): void;
  /** The same for a file, where the channel sends one another way (Telegram: sendDocument); else failNext. */
  failNextFile?(kind: FailureKind): void;
  close(): Promise<void>;
}

export interface HarnessFactory {
  create(): Promise<AdapterHarness>;
  /** The failures this channel has (web chat: none). */
  failures: readonly FailureKind[];
  /** Whether the resident's screen can be read from the fake (not for the web chat). */
  showsMessages: boolean;
  /** False for a channel that cannot delete a sent message (WhatsApp's Cloud API): it must not pretend to. */
  deletes?: boolean;
}

const message = (text: string, choices?: OutboundMessage['choices']): OutboundMessage =>
  ({ text, locale: 'nl', ...(choices ? { choices } : {}) }) as OutboundMessage;

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
/** A JPEG and a PDF by their first bytes, as the dispatcher hands a trust person's file over (issue 15). */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, ...ascii('JFIF'), 0, ...new Array(300).fill(9)]);
const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const withFile = (caption: string, file: NonNullable<OutboundMessage['file']>): OutboundMessage =>
  ({ text: caption, locale: 'nl', dir: 'ltr', file }) as OutboundMessage;

export function describeAdapterContract(name: string, factory: HarnessFactory): void {
  describe(`the ${name} adapter keeps the outbox's contract`, () => {
    let h: AdapterHarness;
    let seq = 0;
    beforeAll(async () => {
      h = await factory.create();
    });
    afterAll(async () => {
      await h.close();
    });
    const send = (m: OutboundMessage) => h.adapter.send(h.recipient, m, { messageId: ++seq });
    const shownNow = () => h.shown() ?? [];

    it('sends a text and names it by the channel’s id', async () => {
      const before = shownNow().length;
      const delivery = h.nextDelivery?.();
      const result = await send(message('Hallo Fatima, fijn dat je schrijft.'));
      if (delivery) expect(await delivery).toBe(true);
      expect(result).toMatchObject({ ok: true, channelMessageId: expect.any(String) });
      if (result.ok) expect(result.channelMessageId.length).toBeGreaterThan(0);
      if (factory.showsMessages) {
        expect(shownNow().slice(before)).toHaveLength(1);
        expect(shownNow().at(-1)).toContain('Hallo Fatima, fijn dat je schrijft.');
      }
    });

    it.runIf(factory.showsMessages)(
      'sends a text longer than one message whole, in order, every part within the limit',
      async () => {
        const words = Array.from({ length: 2500 }, (_, i) => `w${String(i).padStart(4, '0')}`);
        const before = shownNow().length;
        const result = await send(message(words.join(' ')));
        expect(result.ok).toBe(true);
        const parts = shownNow().slice(before);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(h.textLimit);
        expect(
          parts
            .join(' ')
            .split(/\s+/)
            .filter((w) => /^w\d{4}$/.test(w)),
        ).toEqual(words);
      },
    );

    it.runIf(factory.showsMessages)('shows every choice of a question', async () => {
      const result = await send(
        message('Waar gaat het over?', [
          { id: 'topic:school', label: 'School', number: 1 },
          { id: 'topic:money', label: 'Geld en schulden', number: 2 },
          { id: 'cmd:person', label: 'Iemand spreken' },
        ]),
      );
      expect(result.ok).toBe(true);
      const shown = shownNow().at(-1)!;
      for (const label of ['School', 'Geld en schulden', 'Iemand spreken']) expect(shown).toContain(label);
    });

    it('sends a trust person’s photo with its caption, shown as a photo in the chat', async () => {
      const before = h.filesShown?.().length ?? 0;
      const delivery = h.nextDelivery?.();
      const result = await send(
        withFile('Dit is de brief van school.', { kind: 'image', contentType: 'image/jpeg', name: 'photo.jpg', bytes: JPEG }),
      );
      if (delivery) expect(await delivery).toBe(true);
      expect(result).toMatchObject({ ok: true, channelMessageId: expect.any(String) });
      if (!h.filesShown) return;
      const shown = h.filesShown().slice(before);
      expect(shown).toHaveLength(1);
      expect(shown[0]).toMatchObject({ shownAs: 'photo', caption: 'Dit is de brief van school.' });
      expect(Buffer.from(shown[0]!.bytes).equals(Buffer.from(JPEG))).toBe(true);
    });

    it('sends a PDF as a document under its name, with its caption, or without one', async () => {
      const before = h.filesShown?.().length ?? 0;
      const pdf = { kind: 'document' as const, contentType: 'application/pdf', name: 'document.pdf', bytes: PDF };
      expect((await send(withFile('Het ingevulde formulier', pdf))).ok).toBe(true);
      expect((await send(withFile('', pdf))).ok).toBe(true);
      if (!h.filesShown) return;
      const shown = h.filesShown().slice(before);
      expect(shown.map((f) => [f.shownAs, f.name, f.caption])).toEqual([
        ['document', 'document.pdf', 'Het ingevulde formulier'],
        ['document', 'document.pdf', ''],
      ]);
      expect(Buffer.from(shown[0]!.bytes).equals(Buffer.from(PDF))).toBe(true);
    });

    it.runIf(factory.failures.includes('transient'))('tries a file again after a passing failure, like a text', async () => {
      (h.failNextFile ?? h.failNext)('transient');
      const result = await send(
        withFile('', { kind: 'document', contentType: 'application/pdf', name: 'document.pdf', bytes: PDF }),
      );
      expect(result).toMatchObject({ ok: false, retry: true });
    });

    it.runIf(factory.deletes === false)('has no way to delete a sent message, so discreet mode says so', () => {
      expect(h.adapter.deleteMessage).toBeUndefined();
    });

    it.runIf(factory.deletes !== false)(
      'takes a sent message off the resident’s screen, and does not try one past the channel’s window',
      async () => {
        const result = await send(message('Dit bericht verdwijnt weer.'));
        if (!result.ok) throw new Error(result.reason);
        expect(h.adapter.deleteMessage).toBeDefined();
        const deleted = await h.adapter.deleteMessage!(h.recipient, {
          channelMessageId: result.channelMessageId,
          sentAt: new Date(),
        });
        expect(deleted).toEqual({ ok: true });
        if (factory.showsMessages) expect(shownNow().join('\n')).not.toContain('Dit bericht verdwijnt weer.');
        const old = await send(message('Een oud bericht.'));
        if (!old.ok) throw new Error(old.reason);
        const longAgo = new Date(Date.now() - 100 * 24 * 3600_000);
        const tooOld = await h.adapter.deleteMessage!(h.recipient, { channelMessageId: old.channelMessageId, sentAt: longAgo });
        // A channel without a window (the web chat) deletes it; one with a window says so, and not to retry.
        if (!tooOld.ok) expect(tooOld.retry).toBe(false);
        else expect(factory.showsMessages).toBe(false);
      },
    );

    it.runIf(factory.failures.includes('wait'))('says how long to wait when the channel asks for it', async () => {
      h.failNext('wait');
      const result = await send(message('Even wachten.'));
      expect(result).toMatchObject({ ok: false, retry: true, retryAfterMs: expect.any(Number) });
      if (!result.ok) expect(result.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(result.ok || result.unreachable).toBeFalsy();
    });

    it.runIf(factory.failures.includes('blocked'))('stops for good when the resident blocked us', async () => {
      h.failNext('blocked');
      const result = await send(message('Ben je er nog?'));
      expect(result).toMatchObject({ ok: false, retry: false, unreachable: true });
    });

    it.runIf(factory.failures.includes('transient'))('tries again after a passing failure', async () => {
      h.failNext('transient');
      const result = await send(message('Nog een keer.'));
      expect(result).toMatchObject({ ok: false, retry: true });
      expect(result.ok || result.unreachable).toBeFalsy();
    });

    it.runIf(factory.failures.includes('refused'))(
      'gives up on a request the channel refuses, without calling the resident unreachable',
      async () => {
        h.failNext('refused');
        const result = await send(message('Dit wordt geweigerd.'));
        expect(result).toMatchObject({ ok: false, retry: false });
        expect(result.ok || result.unreachable).toBeFalsy();
      },
    );

    it('never throws for the channel’s trouble: a failure is a result', async () => {
      for (const kind of factory.failures) {
        h.failNext(kind);
        await expect(send(message('Gaat dit goed?'))).resolves.toHaveProperty('ok');
      }
    });
  });
}
