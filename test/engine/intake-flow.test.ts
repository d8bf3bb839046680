import { describe, expect, it } from 'vitest';
import { EngineResident, texts } from '../helpers/engine-driver.js';

const t = (locale: string, key: string, vars: Record<string, unknown> = {}) => texts.t(locale, key, { org: 'Al Amal', ...vars });
const LOCALES = ['nl', 'ar', 'tr', 'en'] as const;

describe('the intake, step by step without a database', () => {
  it.each(LOCALES)('goes from greeting to handoff in %s, answering by number', (locale) => {
    const r = new EngineResident();
    r.say('hallo');
    expect(r.step).toBe('language');
    expect(r.replyText).toContain(t('nl', 'bot:greeting'));
    const languageNumber = r.choices.find((c) => c.id === `language:${locale}`)!.number!;
    r.say(String(languageNumber));
    expect(r.step).toBe('consent');
    expect(r.replyText).toBe(t(locale, 'bot:consent.prompt'));
    expect(r.last.outbound[0]!.dir).toBe(locale === 'ar' ? 'rtl' : 'ltr');
    r.say('1');
    expect(r.step).toBe('domains');
    r.say('3 6');
    expect(r.replyText).toContain(t(locale, 'bot:domains.money'));
    expect(r.replyText).toContain(t(locale, 'bot:domains.housing'));
    r.press('cmd:continue');
    expect(r.step).toBe('urgency');
    r.say('2');
    expect(r.step).toBe('contact');
    r.say('2');
    expect(r.step).toBe('phoneNumber');
    r.say('06 12 34 56 78');
    expect(r.step).toBe('reachable');
    r.say('1');
    expect(r.step).toBe('helper');
    expect(r.replyText).toContain(t(locale, `bot:language.name.${locale}`));
    r.say('1');
    expect(r.step).toBe('summary');
    expect(r.replyText).toContain(t(locale, 'bot:domains.money'));
    expect(r.replyText).toContain(t(locale, 'bot:urgency.week'));
    expect(r.replyText).toContain(t(locale, 'bot:contact.phone'));
    expect(r.replyText).toContain(t(locale, 'bot:helper.woman'));
    r.say('1');
    expect(r.step).toBe('handoff');
    expect(r.last.mode).toBe('waiting');
    expect(r.last.effects).toEqual([{ type: 'handoff', reason: 'intake-complete' }]);
    expect(r.replyText).toBe(t(locale, 'bot:handoff.done'));
    expect(r.answers).toEqual({
      locale,
      consent: 'yes',
      domains: ['money', 'housing'],
      urgency: 'week',
      contact: 'phone',
      contactPhone: '0612345678',
      reachable: 'morning',
      helperGender: 'woman',
    });
  });

  it('lets every question be skipped and still hands off', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('overslaan'); // language: keeps Dutch
    expect(r.step).toBe('consent');
    r.say('ja');
    let asked = 0;
    while (r.step !== 'summary') {
      expect(r.choices.some((c) => c.id === 'cmd:skip')).toBe(true);
      r.press('cmd:skip');
      asked++;
    }
    expect(asked).toBe(4); // domains, urgency, contact, helper (reachable is only asked for a call or visit)
    expect(r.replyText).toContain(t('nl', 'bot:summary.skipped'));
    r.say('overslaan');
    expect(r.step).toBe('handoff');
    expect(r.last.effects).toEqual([{ type: 'handoff', reason: 'intake-complete' }]);
  });

  it('asks at most nine questions before the handoff on the longest path', () => {
    const r = new EngineResident();
    r.say('hoi');
    let questions = 0;
    const answers: Record<string, string> = {
      language: '1',
      consent: '1',
      urgency: '2',
      contact: '3',
      address: 'Kanaleneiland',
      reachable: '1',
      helper: '3',
      summary: '1',
    };
    while (r.last.mode !== 'waiting') {
      questions++;
      if (r.step === 'domains') {
        r.say('1');
        r.say('mijn zoon gaat niet naar school');
        r.say('verder');
      } else r.say(answers[r.step]!);
      expect(questions).toBeLessThanOrEqual(9);
    }
    expect(questions).toBe(9);
  });

  it('takes the option by its word, by Arabic-Indic digits and by a button', () => {
    const r = new EngineResident();
    r.say('مرحبا');
    expect(r.choices[0]!.id).toBe('language:ar'); // Arabic script suggests Arabic, offered first
    r.say('٢'); // the second option: Nederlands
    expect(r.last.locale).toBe('nl');
    r.say('akkoord');
    expect(r.step).toBe('domains');
    r.say('geld');
    expect(r.answers.domains).toEqual(['money']);
    r.say('verder');
    r.press('urgency:notUrgent');
    expect(r.answers.urgency).toBe('notUrgent');
    r.say('3️⃣');
    expect(r.answers.contact).toBe('visit');
  });

  it('keeps free text and voice notes at every question as notes for the trust person', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('1');
    r.say('ja');
    r.say('Ik heb een brief van de gemeente die ik niet snap');
    r.send({ media: { kind: 'voice' } });
    expect(r.replyText).toBe(t('nl', 'bot:domains.ackWords'));
    r.say('verder');
    r.send({ media: { kind: 'voice' } });
    expect(r.replyText).toContain(t('nl', 'bot:note.voiceSaved'));
    expect(r.step).toBe('contact');
    // A sentence that names one option answers with it; the rest of it is kept as their own words.
    r.say('na 14:00 kan ik bellen');
    expect(r.answers.contact).toBe('phone');
    expect(r.last.snapshot.context.notes.map((n) => [n.step, n.kind])).toEqual([
      ['domains', 'text'],
      ['domains', 'voice'],
      ['urgency', 'voice'],
      ['contact', 'text'],
    ]);
  });

  it('greets once: a repeat of the language question does not greet again', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('xyz?');
    expect(r.step).toBe('language');
    expect(r.replyText).toContain(t('nl', 'bot:language.unclear'));
    expect(r.replyText).not.toContain(t('nl', 'bot:greeting'));
  });

  it('answers an unclear number with a kind repeat of the question', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('1');
    r.say('ja');
    r.say('verder');
    r.say('7');
    expect(r.step).toBe('urgency');
    expect(r.replyText).toContain(t('nl', 'bot:unclear'));
    expect(r.replyText).toContain(t('nl', 'bot:urgency.prompt'));
  });

  it('lets the resident change an answer from the summary and comes back to it', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja', '1', 'verder', '2', '1', '3']) r.say(m);
    expect(r.step).toBe('summary');
    r.say('2');
    expect(r.step).toBe('change');
    r.say('2'); // how urgent
    expect(r.step).toBe('urgency');
    r.say('3');
    expect(r.step).toBe('summary');
    expect(r.answers.urgency).toBe('notUrgent');
  });

  it.each(['ah', 'Aah', 'wakha', 'iyeh'])('takes the Darija "%s" in Latin letters as a yes to the privacy question', (yes) => {
    const r = new EngineResident();
    r.say('salam');
    r.say('darija');
    expect(r.step).toBe('consent');
    r.say(yes);
    expect(r.last.intake.consent).toBe(true);
    expect(r.step).toBe('domains');
  });

  it('offers a person and the emergency numbers when consent is declined, and keeps no answers', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('1');
    r.say('nee');
    expect(r.step).toBe('declined');
    expect(r.replyText).toContain('112');
    expect(r.replyText).toContain('0800-2000');
    r.say('1');
    expect(r.step).toBe('person');
    expect(r.last.mode).toBe('waiting');
    expect(r.last.intake.consent).toBe(false);
  });
});

describe('commands at any moment, in every locale', () => {
  const words: Record<string, Record<string, string>> = {
    nl: { person: 'persoon', language: 'taal', restart: 'opnieuw', stop: 'stop', help: 'help' },
    ar: { person: 'شخص', language: 'لغة', restart: 'من جديد', stop: 'توقف', help: texts.list('ar', 'words:commands.help')[0]! },
    tr: { person: 'kişi', language: 'dil', restart: 'baştan', stop: 'dur', help: texts.list('tr', 'words:commands.help')[0]! },
    en: { person: 'person', language: 'language', restart: 'restart', stop: 'stop', help: 'help' },
  };
  const atUrgency = (locale: string) => {
    const r = new EngineResident();
    r.say('hi');
    r.say(String(r.choices.find((c) => c.id === `language:${locale}`)!.number));
    r.say('1');
    r.say('1');
    r.press('cmd:continue');
    expect(r.step).toBe('urgency');
    return r;
  };

  it.each(LOCALES)('in %s: person goes straight to the handoff', (locale) => {
    const r = atUrgency(locale);
    r.say(words[locale]!.person!);
    expect(r.step).toBe('person');
    expect(r.last.effects).toEqual([{ type: 'handoff', reason: 'asked-for-person' }]);
    expect(r.replyText).toBe(t(locale, 'bot:handoff.person'));
  });

  it.each(LOCALES)('in %s: help explains and repeats the question', (locale) => {
    const r = atUrgency(locale);
    r.say(words[locale]!.help!);
    expect(r.replyText).toContain(t(locale, 'bot:help.text'));
    expect(r.replyText).toContain(t(locale, 'bot:urgency.prompt'));
    expect(r.step).toBe('urgency');
  });

  it.each(LOCALES)('in %s: language changes the language and returns to the question', (locale) => {
    const r = atUrgency(locale);
    r.say(words[locale]!.language!);
    expect(r.step).toBe('language');
    r.press(locale === 'tr' ? 'language:en' : 'language:tr');
    expect(r.step).toBe('urgency');
    expect(r.replyText).toBe(t(locale === 'tr' ? 'en' : 'tr', 'bot:urgency.prompt'));
  });

  it.each(LOCALES)('in %s: start over clears the answers', (locale) => {
    const r = atUrgency(locale);
    r.say(words[locale]!.restart!);
    expect(r.step).toBe('language');
    expect(r.answers).toEqual({});
    expect(r.last.locale).toBe(locale);
  });

  it.each(LOCALES)('in %s: stop asks, then erases and confirms', (locale) => {
    const r = atUrgency(locale);
    r.say(words[locale]!.stop!);
    expect(r.step).toBe('stop');
    expect(r.replyText).toBe(t(locale, 'bot:stop.prompt'));
    r.say('1');
    expect(r.step).toBe('stopped');
    expect(r.last.effects).toEqual([{ type: 'erase' }]);
    expect(r.replyText).toBe(t(locale, 'bot:stop.done'));
    expect(r.answers).toEqual({});
    r.say('hallo');
    expect(r.step).toBe('language');
  });

  it('stop, then "no" goes back to the question', () => {
    const r = atUrgency('nl');
    r.say('stop');
    r.say('2');
    expect(r.step).toBe('urgency');
    expect(r.last.effects).toEqual([]);
  });
});

describe('the emergency path', () => {
  const dangerSentences: Record<string, string> = {
    nl: 'mijn man slaat me',
    ar: 'زوجي يضربني',
    tr: 'kocam beni dövüyor',
    en: 'he hits me every day',
  };

  it.each(LOCALES)('in %s: danger words bring the numbers at once, in that language, and mark it urgent', (locale) => {
    const r = new EngineResident();
    r.say('hi');
    r.say(String(r.choices.find((c) => c.id === `language:${locale}`)!.number));
    r.say('1');
    r.say(dangerSentences[locale]!);
    const text = r.replyText;
    for (const number of ['112', '0800-2000', '113', '0800-0113', '0800-0432']) expect(text).toContain(number);
    // the numbers first, then whether it is safe to chat now
    expect(r.last.outbound.map((m) => m.text)).toEqual([
      t(locale, 'bot:emergency.text'),
      expect.stringContaining(t(locale, 'bot:safety.ask')),
    ]);
    expect(r.last.effects).toEqual([{ type: 'urgent', reason: 'danger-words' }]);
    expect(r.choices.map((c) => c.id)).toEqual(['safety:safe', 'safety:later', 'safety:chatOnly', 'safety:callAfter']);
    r.say('1');
    expect(r.answers.safety).toBe('safe');
    expect(r.choices.map((c) => c.id)).toEqual(['cmd:person', 'cmd:continue']);
    // going on returns to the question they were at; the words are kept as a note
    r.press('cmd:continue');
    expect(r.step).toBe('domains');
    expect(r.last.snapshot.context.notes).toHaveLength(1);
  });

  it('reaches a person from the emergency message', () => {
    const r = new EngineResident();
    r.say('hoi');
    r.say('1');
    r.say('ik wil zelfmoord plegen');
    r.press('cmd:person');
    expect(r.step).toBe('person');
    expect(r.last.mode).toBe('waiting');
  });

  it('answers a first message about danger in the language it is written in', () => {
    const r = new EngineResident();
    r.say('زوجي يضربني');
    expect(r.last.locale).toBe('ar');
    expect(r.replyText).toContain(t('ar', 'bot:emergency.text'));
    expect(r.last.effects).toContainEqual({ type: 'urgent', reason: 'danger-words' });
  });

  it('treats the "danger now" answer like danger words', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja', 'verder']) r.say(m);
    r.say('1');
    expect(r.replyText).toContain(t('nl', 'bot:emergency.text'));
    expect(r.last.effects).toEqual([{ type: 'urgent', reason: 'danger-now' }]);
    expect(r.step).toBe('safety');
    r.press('cmd:continue');
    expect(r.step).toBe('contact');
    expect(r.answers.urgency).toBe('now');
  });

  describe('is it safe to chat now?', () => {
    /** A Dutch resident who names violence at the domains question. */
    function inDanger(): EngineResident {
      const r = new EngineResident();
      for (const m of ['hoi', '1', 'ja']) r.say(m);
      r.say('mijn man slaat me');
      expect(r.step).toBe('safety');
      return r;
    }

    it('"chat only" is kept for the trust person, acknowledged, and the urgent handoff is refreshed', () => {
      const r = inDanger();
      r.say('alleen chatten');
      expect(r.answers.safety).toBe('chatOnly');
      expect(r.last.effects).toEqual([{ type: 'urgent', reason: 'danger-words' }]);
      expect(r.last.outbound.map((m) => m.text)).toEqual([
        t('nl', 'bot:safety.chatOnlyAck'),
        expect.stringContaining(t('nl', 'bot:emergency.next')),
      ]);
      expect(r.step).toBe('emergencyChoices');
    });

    it('"later" says the person waits, stays silent (no reminder), and welcomes them back when they write', () => {
      const r = inDanger();
      r.press('safety:later');
      expect(r.answers.safety).toBe('later');
      expect(r.replyText).toBe(t('nl', 'bot:safety.laterText'));
      expect(r.last.timers.schedule).toEqual([]);
      r.say('nu kan het');
      expect(r.last.outbound.map((m) => m.text)).toEqual([
        t('nl', 'bot:safety.welcomeBack'),
        expect.stringContaining(t('nl', 'bot:emergency.next')),
      ]);
      expect(r.last.snapshot.context.notes.map((n) => n.step)).toEqual(['danger', 'safetyLater']);
      r.press('cmd:continue');
      expect(r.step).toBe('domains');
    });

    it('"call at a certain time" asks when, keeps the answer in their own words, and is skippable', () => {
      const r = inDanger();
      r.say('4');
      expect(r.answers.safety).toBe('callAfter');
      expect(r.replyText).toContain(t('nl', 'bot:safety.callTimeAsk'));
      r.say('na 14:00, als hij werkt');
      expect(r.last.snapshot.context.notes.at(-1)).toMatchObject({ step: 'safetyCallTime', kind: 'text' });
      expect(r.replyText).toContain(t('nl', 'bot:safety.callTimeSaved'));
      expect(r.step).toBe('emergencyChoices');

      const skipped = inDanger();
      skipped.say('4');
      skipped.press('cmd:skip');
      expect(skipped.step).toBe('emergencyChoices');
    });

    it('asks once per conversation: danger named again brings the numbers and the person-or-go-on choice', () => {
      const r = inDanger();
      r.say('1');
      r.press('cmd:continue');
      r.say('hij slaat me weer');
      expect(r.last.outbound.map((m) => m.text)).toEqual([
        t('nl', 'bot:emergency.text'),
        expect.stringContaining(t('nl', 'bot:emergency.next')),
      ]);
    });

    it('understands the answer as a word in Arabic and Darija', () => {
      const r = new EngineResident();
      r.say('زوجي يضربني');
      expect(r.step).toBe('safety');
      r.say('واخا');
      expect(r.answers.safety).toBe('safe');
      const later = new EngineResident();
      later.say('زوجي يضربني');
      later.say('من بعد');
      expect(later.answers.safety).toBe('later');
      expect(later.replyText).toBe(t('ar', 'bot:safety.laterText'));
    });
  });

  it('does not take ordinary words for danger ("overslaan" holds "slaan")', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'ja', 'verder', 'overslaan']) r.say(m);
    expect(r.last.effects).toEqual([]);
    expect(r.step).toBe('contact');
  });

  it('while a trust person has the chat, stays quiet but still gives the numbers', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'persoon']) r.say(m);
    r.state = { ...r.state!, mode: 'with_person' };
    r.say('wanneer bel je me?');
    expect(r.last.outbound).toEqual([]);
    expect(r.last.mode).toBe('with_person');
    r.say('hij slaat me weer');
    expect(r.last.outbound.map((m) => m.text)).toEqual([t('nl', 'bot:emergency.text'), t('nl', 'bot:safety.ask')]);
    expect(r.last.effects).toEqual([{ type: 'urgent', reason: 'danger-words' }]);
    // The safety answer is read while the person has the chat, and reaches the handoff (urgent again).
    r.say('alleen chatten');
    expect(r.answers.safety).toBe('chatOnly');
    expect(r.replyText).toBe(t('nl', 'bot:safety.chatOnlyAck'));
    expect(r.last.effects).toEqual([{ type: 'urgent', reason: 'danger-words' }]);
    expect(r.last.mode).toBe('with_person');
    // Asked once: danger again brings the numbers only.
    r.say('hij slaat me weer');
    expect(r.replyText).toBe(t('nl', 'bot:emergency.text'));
  });
});

describe('after the handoff', () => {
  it('acknowledges the first message once, then keeps quiet and keeps notes', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'persoon']) r.say(m);
    r.say('ik heb een vraag over mijn huur');
    expect(r.replyText).toBe(t('nl', 'bot:handoff.waitingAck'));
    r.say('en nog iets');
    expect(r.last.outbound).toEqual([]);
    expect(r.last.snapshot.context.notes).toHaveLength(2);
    r.say('persoon');
    expect(r.replyText).toBe(t('nl', 'bot:handoff.already'));
  });
});

describe('what a channel cannot pass on', () => {
  it.each(['unsupported', 'edited', 'tooLarge', 'mediaFailed'] as const)(
    'answers a %s notice kindly in the resident’s language and asks the question again',
    (notice) => {
      const r = new EngineResident();
      r.say('hi');
      r.press('language:tr');
      r.say('evet');
      r.press('cmd:continue');
      r.send({ notice });
      expect(r.replyText).toContain(t('tr', `bot:notice.${notice}`));
      expect(r.replyText).toContain(t('tr', 'bot:urgency.prompt'));
      expect(r.step).toBe('urgency');
    },
  );

  it('after the handoff only says the kind word', () => {
    const r = new EngineResident();
    for (const m of ['hoi', '1', 'persoon']) r.say(m);
    r.send({ notice: 'unsupported' });
    expect(r.replyText).toBe(t('nl', 'bot:notice.unsupported'));
    expect(r.step).toBe('person');
  });
});
