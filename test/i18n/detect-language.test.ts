import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/i18n/detect-language.js';

/** What a resident might write first, in languages we have no texts for and in our own four. */
const SAMPLES: Record<string, string[]> = {
  pl: [
    'Dzień dobry, potrzebuję pomocy z listem od gminy',
    'Mój syn ma problemy w szkole i nie wiem co robić',
    'Nie mam pieniędzy na czynsz w tym miesiącu',
    'Czy ktoś może do mnie zadzwonić jutro rano?',
    'Mój mąż jest agresywny i boję się o dzieci',
  ],
  ro: [
    'Bună ziua, am nevoie de ajutor cu o scrisoare de la primărie',
    'Fiul meu are probleme la școală',
    'Nu am bani pentru chirie luna aceasta',
    'Poate să mă sune cineva mâine dimineață?',
    'Soțul meu este agresiv și mi-e frică pentru copii',
  ],
  bg: [
    'Здравейте, имам нужда от помощ с писмо от общината',
    'Синът ми има проблеми в училище',
    'Нямам пари за наема този месец',
    'Може ли някой да ми се обади утре сутринта?',
    'Съпругът ми е агресивен и се страхувам за децата',
  ],
  uk: [
    'Добрий день, мені потрібна допомога з листом від муніципалітету',
    'Мій син має проблеми в школі',
    'У мене немає грошей на оренду цього місяця',
    'Чи може хтось зателефонувати мені завтра вранці?',
    'Мій чоловік агресивний і я боюся за дітей',
  ],
  ru: [
    'Здравствуйте, мне нужна помощь с письмом из муниципалитета',
    'У моего сына проблемы в школе',
    'У меня нет денег на аренду в этом месяце',
    'Может кто-нибудь позвонить мне завтра утром?',
    'Мой муж агрессивный и я боюсь за детей',
  ],
  fr: [
    "Bonjour, j'ai besoin d'aide avec une lettre de la mairie",
    "Mon fils a des problèmes à l'école",
    "Je n'ai pas d'argent pour le loyer ce mois-ci",
    "Quelqu'un peut m'appeler demain matin ?",
    "Mon mari est violent et j'ai peur pour les enfants",
  ],
  es: [
    'Hola, necesito ayuda con una carta del ayuntamiento',
    'Mi hijo tiene problemas en la escuela',
    'No tengo dinero para el alquiler este mes',
    '¿Alguien me puede llamar mañana por la mañana?',
    'Mi marido es agresivo y tengo miedo por los niños',
  ],
  pt: [
    'Olá, preciso de ajuda com uma carta da câmara municipal',
    'O meu filho tem problemas na escola',
    'Não tenho dinheiro para a renda este mês',
    'Alguém me pode ligar amanhã de manhã?',
    'O meu marido é agressivo e tenho medo pelos filhos',
  ],
  it: [
    'Buongiorno, ho bisogno di aiuto con una lettera del comune',
    'Mio figlio ha problemi a scuola',
    "Non ho soldi per l'affitto questo mese",
    'Qualcuno mi può chiamare domani mattina?',
    'Mio marito è aggressivo e ho paura per i bambini',
  ],
  de: [
    'Guten Tag, ich brauche Hilfe mit einem Brief von der Gemeinde',
    'Mein Sohn hat Probleme in der Schule',
    'Ich habe diesen Monat kein Geld für die Miete',
    'Kann mich morgen früh jemand anrufen?',
    'Mein Mann ist aggressiv und ich habe Angst um die Kinder',
  ],
  fa: [
    'سلام، برای نامه‌ای از شهرداری به کمک نیاز دارم',
    'پسرم در مدرسه مشکل دارد',
    'این ماه پول اجاره ندارم',
    'آیا کسی می‌تواند فردا صبح به من زنگ بزند؟',
    'شوهرم پرخاشگر است و برای بچه‌ها می‌ترسم',
  ],
  hu: [
    'Jó napot, segítségre van szükségem egy levéllel az önkormányzattól',
    'A fiamnak problémái vannak az iskolában',
    'Ebben a hónapban nincs pénzem a lakbérre',
    'Fel tud hívni valaki holnap reggel?',
    'A férjem agresszív és félek a gyerekek miatt',
  ],
  sq: [
    'Përshëndetje, kam nevojë për ndihmë me një letër nga bashkia',
    'Djali im ka probleme në shkollë',
    'Nuk kam para për qiranë këtë muaj',
    'A mund të më telefonojë dikush nesër në mëngjes?',
    'Burri im është agresiv dhe kam frikë për fëmijët',
  ],
  en: [
    'Hello, I need help with a letter from the council',
    'My son has problems at school',
    "I don't have money for the rent this month",
    'Can someone call me tomorrow morning?',
    'My husband is aggressive and I am afraid for the children',
  ],
  nl: [
    'Hallo, ik heb hulp nodig met een brief van de gemeente',
    'Mijn zoon heeft problemen op school',
    'Ik heb deze maand geen geld voor de huur',
    'Kan iemand mij morgenochtend bellen?',
    'Mijn man is agressief en ik ben bang voor de kinderen',
  ],
  tr: [
    'Merhaba, belediyeden gelen bir mektup için yardıma ihtiyacım var',
    'Oğlumun okulda sorunları var',
    'Bu ay kira için param yok',
    'Yarın sabah biri beni arayabilir mi?',
    'Kocam saldırgan ve çocuklar için korkuyorum',
  ],
};

describe('detectLanguage (the language of a first message)', () => {
  it.each(Object.entries(SAMPLES))("names %s, reliably, in messages like a resident's", (language, messages) => {
    for (const text of messages) expect(detectLanguage(text), text).toEqual({ language, reliable: true });
  });

  it('does not claim a language it does not know (Somali)', () => {
    for (const text of [
      'Salaan, waxaan u baahanahay caawimaad warqad ka timid dowladda hoose',
      'Wiilkayga wuxuu dhibaato ku qabaa dugsiga',
    ]) {
      const detected = detectLanguage(text);
      expect(detected === null || !detected.reliable || detected.language === 'so', text).toBe(true);
    }
  });
});
