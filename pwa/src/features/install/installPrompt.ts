import { createStore } from "../../app/store";
import { database } from "../../offline/db";

/** Chromium's install prompt, kept from `beforeinstallprompt` until the person taps Install. */
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

export type InstallOffer = "prompt" | "ios" | null;

const DISMISSED_KEY = "installHintDismissed";
let deferred: InstallPromptEvent | null = null;

export const installOffer = createStore<InstallOffer>(null);
export const installHintDismissed = createStore(false);

const standalone = () =>
  window.matchMedia("(display-mode: standalone)").matches ||
  (navigator as Navigator & { standalone?: boolean }).standalone === true;

// iOS has no install prompt: it needs "Add to Home Screen" (and only then allows push).
const iosSafari = () => /iphone|ipad|ipod/i.test(navigator.userAgent) && !/crios|fxios/i.test(navigator.userAgent);

/** Listens early: Chromium fires `beforeinstallprompt` once, soon after load. */
export async function watchInstallability(): Promise<void> {
  if (standalone()) return;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event as InstallPromptEvent;
    installOffer.set("prompt");
  });
  window.addEventListener("appinstalled", () => installOffer.set(null));
  if (iosSafari()) installOffer.set("ios");
  if (await (await database()).get("kv", DISMISSED_KEY)) installHintDismissed.set(true);
}

export async function install(): Promise<void> {
  if (!deferred) return;
  await deferred.prompt();
  await deferred.userChoice;
  deferred = null;
  installOffer.set(null);
}

export async function dismissInstallHint(): Promise<void> {
  installHintDismissed.set(true);
  await (await database()).put("kv", true, DISMISSED_KEY);
}
