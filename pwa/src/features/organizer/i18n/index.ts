import { useStore } from "../../../app/store";
import { fill, language, translate as translateApp, type Lang, type MessageKey as AppMessageKey } from "../../../i18n";
import { orgEn, type OrgMessageKey } from "./en";
import { orgFr } from "./fr";

/** The console's strings live beside it so attendees never download them; the app's strings still apply. */
export type MessageKey = AppMessageKey | OrgMessageKey;
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const dictionaries = { en: orgEn, fr: orgFr } as const;

const isOrgKey = (key: MessageKey): key is OrgMessageKey => key in orgEn;

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  return isOrgKey(key) ? fill(dictionaries[lang][key], vars) : translateApp(lang, key, vars);
}

export function useT(): Translate {
  const lang = useStore(language);
  return (key, vars) => translate(lang, key, vars);
}

export { language };
