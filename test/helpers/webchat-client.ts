import type { Hono } from 'hono';

export interface ChatMessage {
  id: number;
  direction: 'in' | 'out';
  text: string | null;
  choices: { id: string; label: string; number?: number }[] | null;
  media: { kind: string } | null;
  dir: string;
}

/** A web chat visitor driving the HTTP API in-process, as the page does. */
export class WebchatClient {
  token = '';
  seen = 0;
  #counter = 0;

  constructor(
    private readonly server: Hono,
    private readonly prefix = Math.random().toString(36).slice(2, 10),
  ) {}

  async startSession(): Promise<this> {
    const res = await this.server.request('/chat/api/session', { method: 'POST' });
    if (res.status !== 201) throw new Error(`session: ${res.status}`);
    this.token = ((await res.json()) as { token: string }).token;
    return this;
  }

  nextId(): string {
    return `${this.prefix}-${++this.#counter}`;
  }

  async post(body: Record<string, unknown>): Promise<Response> {
    return await this.server.request('/chat/api/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Sends text and returns the bot's replies to it. */
  async say(text: string, extra: Record<string, unknown> = {}): Promise<ChatMessage[]> {
    const res = await this.post({ id: this.nextId(), text, ...extra });
    if (res.status !== 202) throw new Error(`send ${JSON.stringify(text)}: ${res.status} ${await res.text()}`);
    return this.replies();
  }

  /** Presses a button (a choice id from a message) and returns the replies. */
  async press(choiceId: string): Promise<ChatMessage[]> {
    const res = await this.post({ id: this.nextId(), choice: choiceId });
    if (res.status !== 202) throw new Error(`press ${choiceId}: ${res.status} ${await res.text()}`);
    return this.replies();
  }

  /** Every message after the last one seen. */
  async read(wait = 0): Promise<{ messages: ChatMessage[]; locale: string | null }> {
    const res = await this.server.request(`/chat/api/messages?after=${this.seen}&wait=${wait}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (res.status !== 200) throw new Error(`read: ${res.status}`);
    const body = (await res.json()) as { messages: ChatMessage[]; locale: string | null };
    for (const m of body.messages) this.seen = Math.max(this.seen, m.id);
    return body;
  }

  async replies(): Promise<ChatMessage[]> {
    return (await this.read()).messages.filter((m) => m.direction === 'out');
  }
}

/** The text of the last reply with choices, and its choices: what a resident looks at to answer. */
export function lastQuestion(replies: ChatMessage[]): ChatMessage {
  const withChoices = [...replies].reverse().find((m) => m.choices && m.choices.length > 0);
  if (!withChoices) throw new Error(`no question among replies: ${replies.map((r) => r.text).join(' | ')}`);
  return withChoices;
}
