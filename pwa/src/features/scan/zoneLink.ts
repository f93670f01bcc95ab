/** The check-in token in a zone poster's URL (https://host/z/<token>), or null for any other code.
 * Any host is accepted: a poster printed for one address still works if the event moves. */
export function zoneToken(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const match = /^\/z\/([A-Za-z0-9_-]{8,128})\/?$/.exec(url.pathname);
  return match?.[1] ?? null;
}

export type CheckinRequest = { token: string } | { code: string };
