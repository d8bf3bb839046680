import type { ChoiceRef } from '../say.js';
import { AFTERCARE_ANSWERS } from '../types.js';
import { SAFETY_OPTIONS } from './context.js';

/** The buttons the machine itself adds (the flow's own options are numbered by prompts.ts). */
export const SKIP_CHOICE: ChoiceRef = { id: 'cmd:skip', label: 'bot:common.skip' };
export const PERSON_CHOICE: ChoiceRef = { id: 'cmd:person', label: 'bot:common.person' };
/** Between the labels of a list (the topics chosen), as the resident's language separates them. */
export const LIST_SEPARATOR = { t: 'bot:common.listSeparator' };

export const CONTINUE_CHOICE: ChoiceRef = { id: 'cmd:continue', label: 'bot:common.continue' };

export const EMERGENCY_CHOICES: ChoiceRef[] = [
  { id: 'cmd:person', label: 'bot:emergency.person' },
  { id: 'cmd:continue', label: 'bot:emergency.continue' },
];

export const SAFETY_CHOICES: ChoiceRef[] = SAFETY_OPTIONS.map((id, i) => ({
  id: `safety:${id}`,
  label: `bot:safety.options.${id}`,
  number: i + 1,
}));

export const STOP_CHOICES: ChoiceRef[] = [
  { id: 'stop:yes', label: 'bot:stop.yes', number: 1 },
  { id: 'stop:no', label: 'bot:stop.no', number: 2 },
];

export const AFTERCARE_CHOICES: ChoiceRef[] = AFTERCARE_ANSWERS.map((id, i) => ({
  id: `aftercare:${id}`,
  label: `bot:aftercare.options.${id}`,
  number: i + 1,
}));
