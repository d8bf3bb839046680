import { describe, expect, it } from 'vitest';
import { EngineResident, texts } from '../helpers/engine-driver.js';

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });

/** A resident in Dutch who has given consent and is at the topics question. */
function atTopics(locale = 'nl'): EngineResident {
  const r = new EngineResident();
  r.say('hallo');
  r.press(`language:${locale}`);
  r.press('consent:yes');
  expect(r.step).toBe('domains');
  return r;
}

/** Walks on to a step by pressing buttons. */
function toContact(r: EngineResident) {
  r.press('domains:money');
  r.press('cmd:continue');
  r.press('urgency:week');
  expect(r.step).toBe('contact');
}

describe('the first message', () => {
  it('is kept as the resident’s own words and counted in the summary', () => {
    const r = new EngineResident();
    r.say('عندي مشكل مع ولدي فالمدرسة، المدير بغا يطردو');
    expect(r.last.locale).toBe('ar');
    expect(r.last.snapshot.context.notes).toEqual([{ step: 'first', messageId: 1, kind: 'text' }]);
    r.press('language:ar');
    r.press('consent:yes');
    r.press('cmd:skip'); // topics
    for (const step of ['urgency', 'contact', 'helper']) (r.press(`cmd:skip`), expect(r.step).not.toBe(step));
    expect(r.step).toBe('summary');
    expect(r.replyText).toContain(t('ar', 'bot:summary.ownWords', { count: 1 }));
  });

  it('is not kept when it is only a greeting', () => {
    const r = new EngineResident();
    r.say('salam alaikum');
    expect(r.last.snapshot.context.notes).toEqual([]);
  });

  it('in Darija in Latin letters is answered in Arabic, with a word for the trust person', () => {
    const r = new EngineResident();
    r.say('salam bghit nsewel 3la chi haja dyal lmadrasa');
    expect(r.last.locale).toBe('ar');
    expect(r.last.snapshot.context.writtenLanguage).toBe('darija-latin');
    expect(r.choices[0]!.id).toBe('language:ar');
  });

  it.each([
    ['Polish', 'Dzień dobry, mam problem z mieszkaniem i nie mówię po niderlandzku', 'pl'],
    ['French', "Bonjour, j'ai besoin d'aide pour mon fils qui ne va plus à l'école", 'fr'],
  ])('in %s gets the language question in all four languages and a person one press away', (_name, text, code) => {
    const r = new EngineResident();
    r.say(text);
    expect(r.last.snapshot.context.writtenLanguage).toBe(code);
    for (const locale of ['nl', 'ar', 'tr', 'en']) expect(r.replyText).toContain(t(locale, 'bot:language.prompt'));
    expect(r.choices.map((c) => c.id)).toContain('cmd:person');
    r.press('cmd:person');
    expect(r.last.effects).toContainEqual({ type: 'handoff', reason: 'asked-for-person' });
  });

  it('that nobody can read (Tarifit, emoji) never loops: an unclear answer offers a person in all four languages', () => {
    const r = new EngineResident();
    r.say('azul');
    r.say('🙏🙏');
    r.say('ur fhimegh ara');
    expect(r.step).toBe('language');
    for (const locale of ['nl', 'ar', 'tr', 'en']) expect(r.replyText).toContain(t(locale, 'bot:unclearPerson'));
    expect(r.choices.map((c) => c.id)).toContain('cmd:person');
  });
});

describe('free text at a question', () => {
  it('"that\'s all" at the topics question goes on, in every locale', () => {
    for (const [locale, text] of [
      ['nl', 'nee dat was het'],
      ['nl', 'klopt'],
      ['ar', 'صافي هادشي'],
      ['tr', 'bu kadar'],
      ['en', "no that's all"],
      ['nl', '👍'],
    ] as const) {
      const r = atTopics(locale);
      r.press('domains:money');
      r.say(text);
      expect(r.step, `${locale}: ${text}`).toBe('urgency');
    }
  });

  it('an answer with a wish in the same sentence keeps both', () => {
    const r = atTopics();
    toContact(r);
    r.press('contact:chat');
    expect(r.step).toBe('helper');
    r.say('Tarifit alsjeblieft, een vrouw');
    expect(r.answers.helperGender).toBe('woman');
    expect(r.last.snapshot.context.notes.at(-1)).toMatchObject({ step: 'helper', kind: 'text' });
  });

  it('after two unclear answers at one question offers a person, in the resident’s language', () => {
    const r = new EngineResident();
    r.say('merhaba');
    r.press('language:tr');
    expect(r.step).toBe('consent');
    r.say('hmm');
    expect(r.replyText).not.toContain(t('tr', 'bot:unclearPerson'));
    expect(r.choices.map((c) => c.id)).not.toContain('cmd:person');
    r.say('ne?');
    expect(r.step).toBe('consent');
    expect(r.replyText).toContain(t('tr', 'bot:unclearPerson'));
    expect(r.choices.map((c) => c.id)).toEqual(['consent:yes', 'consent:no', 'cmd:person']);
    r.press('cmd:person');
    expect(r.last.effects).toContainEqual({ type: 'handoff', reason: 'asked-for-person' });
  });

  it('asking for a person in ordinary words hands over at any question', () => {
    for (const [locale, text] of [
      ['nl', 'ik wil met iemand praten'],
      ['ar', 'أريد أن أتكلم مع شخص'],
      ['ar', 'bghit nhder m3a chi wa7ed'],
      ['en', 'can I talk to a real person'],
    ] as const) {
      const r = atTopics(locale);
      r.say(text);
      expect(r.last.effects, `${locale}: ${text}`).toContainEqual({ type: 'handoff', reason: 'asked-for-person' });
    }
  });
});

describe('a story at the topics question', () => {
  it.each([
    ['nl', 'mijn huisbaas wil dat ik eruit ga en ik heb geen geld om de huur te betalen', ['money', 'housing']],
    ['nl', 'ik heb geen geld meer', ['money']],
    ['ar', 'ma3ndich flous', ['money']],
    ['ar', 'mol ddar bgha ykhrjni o ana ma3ndich flous bach nkhless lkra dyal had chhar', ['money', 'housing']],
    ['ar', 'ما عنديش الفلوس باش نخلص الكراء ديال الدار', ['money', 'housing']],
    ['tr', 'ev sahibi beni evden atmak istiyor ve kira ödeyecek param yok', ['money', 'housing']],
    ['en', 'my landlord wants me out and I cannot pay the rent, there is no money left at all', ['money', 'housing']],
  ] as const)('in %s picks the topics it names, whatever its length or its "no" (%s)', (locale, story, topics) => {
    const r = atTopics(locale);
    r.say(story);
    expect(r.step).toBe('domains');
    expect([...(r.answers.domains as string[])].sort()).toEqual([...topics].sort());
    // The ack names what was noted, in the resident's language, and says a story was kept.
    for (const topic of topics) expect(r.replyText).toContain(t(locale, `bot:domains.${topic}`));
    const isStory = story.split(' ').length >= 4;
    const [ackStart] = t(locale, isStory ? 'bot:domains.ackStory' : 'bot:domains.ack', { list: '§' }).split('§');
    expect(r.replyText.startsWith(ackStart!)).toBe(true);
    expect(r.last.snapshot.context.notes).toHaveLength(isStory ? 1 : 0);
  });

  it('names the topics noted as the resident’s language lists them (Arabic with its own comma)', () => {
    const r = atTopics('ar');
    r.say('ما عنديش الفلوس باش نخلص الكراء ديال الدار');
    expect(r.replyText).toContain(`${t('ar', 'bot:domains.money')}، ${t('ar', 'bot:domains.housing')}`);
  });

  it.each([
    ['ar', 'lmra dyal lkra katsifet lia briyat w ana ma fahmach walou o ma3ndich flous', ['money', 'housing', 'letters']],
    ['ar', 'ما عنديش الفلوس باش نشري الماكلة لدراري هاد السيمانة', ['money']],
    ['nl', 'Ik heb geen geld meer voor eten deze week', ['money']],
    ['tr', 'Bu ay hiç param kalmadı, çocuklara yemek alamıyorum', ['money']],
    ['en', 'I have no money left for food this week', ['money']],
  ] as const)('in %s reads everyday money and letters as topics, not as danger (%s)', (locale, story, topics) => {
    const r = atTopics(locale);
    r.say(story);
    expect(r.last.effects.map((e) => e.type)).not.toContain('urgent');
    expect(r.step).toBe('domains');
    for (const topic of topics) expect(r.answers.domains).toContain(topic);
  });

  it('keeps a story of four words or more as the resident’s own words beside its topics', () => {
    const r = atTopics();
    r.say('mijn zoon gaat niet naar school');
    expect(r.answers.domains).toEqual(['school']);
    expect(r.last.snapshot.context.notes).toEqual([{ step: 'domains', messageId: expect.any(Number), kind: 'text' }]);
  });

  it('does not choose "something else" from a story or a "no" that uses its words in passing', () => {
    for (const [locale, text] of [
      ['nl', 'ik weet het anders ook niet meer, alles loopt door elkaar en ik kan niet meer slapen van de zorgen'],
      ['nl', 'nee niets anders'],
      ['en', 'no other thing'],
      ['tr', 'başka bir şey yok'],
    ] as const) {
      const r = atTopics(locale);
      r.press('domains:money');
      r.say(text);
      expect(r.answers.domains, `${locale}: ${text}`).toEqual(['money']);
    }
    const r = atTopics();
    r.say('iets anders');
    expect(r.answers.domains).toEqual(['other']);
  });

  it('"I want to add something" gets "go on, I’m listening" and is not kept as a note', () => {
    for (const [locale, more] of [
      ['nl', 'ik wil nog iets zeggen'],
      ['ar', 'bghit nzid'],
      ['tr', 'eklemek istiyorum'],
      ['en', 'one more thing'],
    ] as const) {
      const r = atTopics(locale);
      r.press('domains:money');
      r.say(more);
      expect(r.step, `${locale}: ${more}`).toBe('domains');
      expect(r.replyText).toBe(t(locale, 'bot:domains.goOn'));
      expect(r.choices.map((c) => c.id)).toEqual(['cmd:continue']);
      expect(r.last.snapshot.context.notes).toEqual([]);
    }
  });

  it('a bare "yes" to "anything else?" goes on and is not kept as a note', () => {
    for (const [locale, yes] of [
      ['nl', 'ja'],
      ['ar', 'ah'],
      ['ar', 'ايه'],
      ['tr', 'evet'],
      ['en', 'yes'],
    ] as const) {
      const r = atTopics(locale);
      r.say('ik maak me zorgen om de brieven van de gemeente die ik niet begrijp');
      r.say(yes);
      expect(r.step, `${locale}: ${yes}`).toBe('urgency');
      expect(r.last.snapshot.context.notes).toHaveLength(1);
    }
  });
});

describe('contact details', () => {
  it('a call asks for the number and keeps it; the summary shows it', () => {
    const r = atTopics();
    toContact(r);
    r.press('contact:phone');
    expect(r.step).toBe('phoneNumber');
    expect(r.replyText).toBe(t('nl', 'bot:phoneNumber.prompt'));
    r.say('mijn nummer is 06-87 65 43 21');
    expect(r.answers.contactPhone).toBe('0687654321');
    expect(r.step).toBe('reachable');
  });

  it('text without a number asks again; skipping is fine', () => {
    const r = atTopics();
    toContact(r);
    r.press('contact:phone');
    r.say('dat weet ik nu even niet uit mijn hoofd');
    expect(r.step).toBe('phoneNumber');
    expect(r.replyText).toContain(t('nl', 'bot:phoneNumber.unclear'));
    r.press('cmd:skip');
    expect(r.step).toBe('reachable');
    expect(r.answers.contactPhone).toBeUndefined();
  });

  it('"bel me maar op 0687654321" at the contact question is a call, and the number is offered for confirmation', () => {
    const r = atTopics();
    toContact(r);
    r.say('bel me maar op 0687654321');
    expect(r.answers.contact).toBe('phone');
    expect(r.step).toBe('phoneNumber');
    expect(r.replyText).toContain(t('nl', 'bot:phoneNumber.confirm', { value: '0687654321' }));
    r.say('ja');
    expect(r.answers.contactPhone).toBe('0687654321');
    expect(r.step).toBe('reachable');
  });

  it('offers the number the channel knows (WhatsApp) for confirmation, and another can be typed', () => {
    const r = new EngineResident();
    r.send({ text: 'hallo', knownPhone: '+31612345678', channel: 'whatsapp' });
    r.press('language:nl');
    r.press('consent:yes');
    toContact(r);
    r.press('contact:phone');
    expect(r.replyText).toContain('+31612345678');
    r.say('nee bel liever 0301234567');
    expect(r.answers.contactPhone).toBe('0301234567');
  });

  it('a home visit asks for the address or neighbourhood', () => {
    const r = atTopics('en');
    toContact(r);
    r.press('contact:visit');
    expect(r.step).toBe('address');
    r.say('Kanaleneiland, near the mosque');
    expect(r.answers.contactAddress).toBe('Kanaleneiland, near the mosque');
    expect(r.step).toBe('reachable');
  });
});

describe('fixes residents met', () => {
  it('"start again" after saying no to consent asks consent again', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.press('language:nl');
    r.press('consent:no');
    expect(r.step).toBe('declined');
    r.press('declined:restart');
    expect(r.step).toBe('consent');
    expect(r.replyText).toContain(t('nl', 'bot:consent.prompt'));
  });

  it('a reply to the reminder that is no answer is not stored as one: the question comes again', () => {
    const r = atTopics();
    r.press('domains:money');
    r.press('cmd:continue');
    expect(r.step).toBe('urgency');
    const reminder = r.last.timers.schedule.find((x) => x.event.type.includes('urgency'))!;
    const due = r.engine.step(r.state, { type: 'timer', event: reminder.event });
    r.state = { snapshot: due.snapshot, flowVersion: due.flowVersion, mode: due.mode };
    r.say('sorry, ik was even weg');
    expect(r.step).toBe('urgency');
    expect(r.answers.urgency).toBeUndefined();
    expect(r.last.snapshot.context.notes.filter((n) => n.step === 'urgency')).toEqual([]);
    expect(r.replyText).toContain(t('nl', 'bot:urgency.prompt'));
  });

  it('choosing "safety at home" as a topic asks whether it is safe to chat now', () => {
    const r = atTopics();
    r.press('domains:safety');
    expect(r.step).toBe('safety');
    expect(r.replyText).toContain(t('nl', 'bot:safety.ask'));
    r.press('safety:chatOnly');
    expect(r.answers.safety).toBe('chatOnly');
  });

  it('danger after the handoff brings the numbers and the safety question', () => {
    const r = atTopics();
    r.say('ik wil met iemand praten');
    expect(r.last.mode).toBe('waiting');
    r.say('hij dreigt me te vermoorden');
    expect(r.last.outbound.map((m) => m.text)).toEqual([t('nl', 'bot:emergency.text'), t('nl', 'bot:safety.ask')]);
    r.press('safety:later');
    expect(r.answers.safety).toBe('later');
    expect(r.replyText).toBe(t('nl', 'bot:safety.laterText'));
  });
});

describe('contact details by number', () => {
  it('"1" takes the number offered; a typed number replaces it', () => {
    const r = new EngineResident();
    r.send({ text: 'hallo', knownPhone: '+31612345678', channel: 'whatsapp' });
    r.press('language:nl');
    r.press('consent:yes');
    r.press('domains:money');
    r.press('cmd:continue');
    r.press('urgency:week');
    r.say('2'); // a call
    expect(r.step).toBe('phoneNumber');
    r.say('1');
    expect(r.answers.contactPhone).toBe('+31612345678');
    expect(r.step).toBe('reachable');
  });
});
