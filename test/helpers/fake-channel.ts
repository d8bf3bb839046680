import type { ChannelName } from '../../src/conversation/inbound-message.js';
import type { ChannelAdapter, Recipient, SendResult } from '../../src/outbox/channel-adapter.js';
import type { OutboundMessage } from '../../src/engine/types.js';

/** A channel adapter whose answers the test scripts; it records what was delivered. */
export class FakeChannel implements ChannelAdapter {
  readonly delivered: { to: string; text: string; at: number }[] = [];
  readonly attempts: { to: string; text: string; at: number }[] = [];
  /** Answers for the next sends, in order; when empty, sends succeed. */
  script: SendResult[] = [];
  /** Holds a send to this recipient until the promise settles (a channel pacing one chat). */
  hold: (to: string) => Promise<void> | undefined = () => undefined;

  constructor(readonly channel: ChannelName = 'web') {}

  async send(recipient: Recipient, message: OutboundMessage): Promise<SendResult> {
    const entry = { to: recipient.externalUserId, text: message.text, at: Date.now() };
    this.attempts.push(entry);
    await this.hold(recipient.externalUserId);
    const scripted = this.script.shift();
    if (scripted && !scripted.ok) return scripted;
    this.delivered.push(entry);
    return { ok: true, channelMessageId: `fake-${this.delivered.length}` };
  }
}
