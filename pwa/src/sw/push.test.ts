import { describe, expect, it } from "vitest";
import { openApp } from "./push";

/** The windows the worker can see, recording what it does with them. Headless Chromium lets a worker
 * call openWindow only during a real notification tap, which no test can make: this is the one part of
 * the tap that is checked here rather than in tests/e2e (which covers focusing an open app). */
function windowsOf(urls: string[]) {
  const done: string[] = [];
  const windows = urls.map((url) => ({
    url,
    focus: async () => void done.push(`focus ${url}`),
    postMessage: (message: { type: string; url: string }) => void done.push(`${message.type} ${message.url} in ${url}`),
  }));
  const clients = {
    matchAll: async (options: { type: string; includeUncontrolled: boolean }) => {
      done.push(`matchAll ${options.type} ${options.includeUncontrolled}`);
      return windows;
    },
    openWindow: async (url: string) => void done.push(`openWindow ${url}`),
  };
  return { clients: clients as unknown as Parameters<typeof openApp>[0], done };
}

const ORIGIN = "https://couloir.example";

describe("a tap on a notification", () => {
  it("focuses the open app and asks it to show the screen", async () => {
    const { clients, done } = windowsOf([`${ORIGIN}/agenda`]);
    await openApp(clients, ORIGIN, "/here");
    expect(done).toEqual(["matchAll window true", `focus ${ORIGIN}/agenda`, `OPEN /here in ${ORIGIN}/agenda`]);
  });

  it("opens the app at the screen when no window of it is open", async () => {
    const { clients, done } = windowsOf([]);
    await openApp(clients, ORIGIN, "/contacts");
    expect(done).toEqual(["matchAll window true", "openWindow /contacts"]);
  });

  it("never hands the screen to a window of another site", async () => {
    const { clients, done } = windowsOf(["https://elsewhere.example/"]);
    await openApp(clients, ORIGIN, "/here");
    expect(done).toEqual(["matchAll window true", "openWindow /here"]);
  });
});
