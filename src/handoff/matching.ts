import type { StaffLoad } from './handoff-queries.js';

export interface StaffMatch extends StaffLoad {
  speaksLanguage: boolean;
  fitsGender: boolean;
}

/**
 * The matching hint: who could take a case. Trust persons who speak the resident's language and fit
 * the helper gender wish come first, then language alone; within each, the fewest open cases first.
 * Coordinators are listed after trust persons.
 */
export function rankMatches(
  people: readonly StaffLoad[],
  want: { language: string | null; helperGender: string | null },
): StaffMatch[] {
  const gender = want.helperGender === 'woman' || want.helperGender === 'man' ? want.helperGender : null;
  return people
    .map((p) => ({
      ...p,
      speaksLanguage: want.language ? p.languages.includes(want.language) : true,
      fitsGender: gender ? p.gender === gender : true,
    }))
    .sort(
      (a, b) =>
        Number(b.speaksLanguage && b.fitsGender) - Number(a.speaksLanguage && a.fitsGender) ||
        Number(b.speaksLanguage) - Number(a.speaksLanguage) ||
        Number(b.role === 'trust_person') - Number(a.role === 'trust_person') ||
        a.openCases - b.openCases ||
        a.name.localeCompare(b.name),
    );
}

/** Those who fit both the language and the gender wish. */
export const goodMatches = (ranked: readonly StaffMatch[]) => ranked.filter((m) => m.speaksLanguage && m.fitsGender);

/** Why a staff member does not fit what the resident asked for (issue 16): shown as a warning, never a block. */
export type MatchWarning = 'language' | 'gender';

/**
 * What the person holding (or assigned) a case does not fit: the resident's language (the chat's, or
 * the one their first message was written in when we have no texts for it) and their gender wish.
 * Nothing for a person not found (the API token, someone removed) or a wish not made.
 */
export function matchWarnings(
  person: Pick<StaffLoad, 'languages' | 'gender'> | undefined,
  want: { language: string | null; writtenLanguage: string | null; helperGender: string | null },
): MatchWarning[] {
  if (!person) return [];
  const warnings: MatchWarning[] = [];
  const written = want.writtenLanguage && want.writtenLanguage !== 'darija-latin' ? want.writtenLanguage : null;
  const language = written ?? want.language;
  if (language && !person.languages.includes(language)) warnings.push('language');
  if ((want.helperGender === 'woman' || want.helperGender === 'man') && person.gender !== want.helperGender) warnings.push('gender');
  return warnings;
}
