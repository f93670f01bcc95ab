/** The code in a personal connect QR (https://host/c/<code>), or null for any other text. Like zone
 * posters, any host is accepted: the code alone identifies the person, for 3 minutes. */
export function connectCode(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const match = /^\/c\/([A-Za-z0-9_-]{16,128})\/?$/.exec(url.pathname);
  return match?.[1] ?? null;
}
