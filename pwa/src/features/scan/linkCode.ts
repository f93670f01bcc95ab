/** The code a link of ours carries in its path (`pattern`'s first group), or null for any other text. Any
 * host is accepted: a printed QR still works if the event moves to another address. */
export function linkCode(text: string, pattern: RegExp): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  return pattern.exec(url.pathname)?.[1] ?? null;
}
