import { createStore, useStore } from "../app/store";
import { database } from "../offline/db";
import { en, type MessageKey } from "./en";
import { fr } from "./fr";

export type Lang = "fr" | "en";
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const dictionaries = { en, fr } as const;
const LANG_KEY = "lang";

/** French or English from the browser's preferences, English when neither is listed. */
export function detectLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "fr" || base === "en") return base;
  }
  return "en";
}

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  return fill(dictionaries[lang][key], vars);
}

/** Puts each {name} of a message in place. */
export function fill(text: string, vars?: Record<string, string | number>): string {
  return vars ? text.replace(/\{(\w+)\}/g, (all, name: string) => String(vars[name] ?? all)) : text;
}

export const language = createStore<Lang>(
  detectLanguage(typeof navigator === "undefined" ? [] : navigator.languages),
);

language.subscribe((lang) => {
  document.documentElement.lang = lang;
});

/** The choice made on this phone wins over the browser's languages. */
export async function loadLanguage(): Promise<void> {
  const saved = await (await database()).get("kv", LANG_KEY);
  if (saved === "fr" || saved === "en") language.set(saved);
  document.documentElement.lang = language.get();
}

export async function chooseLanguage(lang: Lang): Promise<void> {
  language.set(lang);
  await (await database()).put("kv", lang, LANG_KEY);
}

export function useT(): Translate {
  const lang = useStore(language);
  return (key, vars) => translate(lang, key, vars);
}

export type { MessageKey };
