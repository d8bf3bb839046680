import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/engine/types.js';
import type { ChannelAdapter, Recipient } from '../../../src/outbox/channel-adapter.js';

/**
 * The contract every channel adapter keeps with the outbox (src/outbox/channel-adapter.ts), as one
 * suite each channel runs against a fake of its own (adapter-contract.test.ts): send, long texts,
 * choices, deletion, and what each kind of failure means for trying again. A new channel (the Cloud
 * API) adds a harness there and passes the same cases.
 */

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
  /** For a channel without a screen to read: resolves true once a send reached the resident's open page. */
  nextDelivery?(): Promise<boolean>;
  /** Makes the next send (or deletion) fail the way the channel does. */
  failNext(kind: FailureKind): void;
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
