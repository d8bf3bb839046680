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
