import { ApiError, networkError, unwrap } from "../../api/client";
import { api } from "../../app/api";
import { stored } from "../../data/resources";

/** The side the phone shrinks a photo to before sending it: the server keeps a 256 px square, so this leaves
 * it room to crop and resize, and a hallway's Wi-Fi carries tens of kilobytes instead of megabytes. */
const SEND_SIDE = 768;
// Under the server's cap on a request body (Settings.max_body_bytes, 256 KiB), with room to spare.
const SEND_BYTES = 200 * 1024;
const QUALITIES = [0.85, 0.7, 0.5];
const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];

/** The picture as sent: shrunk and re-encoded on the phone when the browser can (which also drops its
 * metadata before it leaves), else the file as it is, for the server to judge. */
export async function shrink(file: File): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, SEND_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const context = canvas.getContext("2d");
    if (!context) return file;
    context.fillStyle = "#fff"; // JPEG has no transparency
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    // A busy picture at 768 px may still be heavy: a lower quality, until it fits.
    let blob: Blob | null = null;
    for (const quality of QUALITIES) {
      blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, "image/jpeg", quality));
      if (!blob || blob.size <= SEND_BYTES) break;
    }
    return blob ?? file;
  } catch {
    return file; // a format this browser cannot decode: the server says what it makes of it
  }
}

/** A photo is sent at once, never queued: its bytes would fill the phone's outbox, and the person should see
 * what the server made of it (or why it refused it) while choosing. Offline, it is refused with a word. */
export async function uploadPhoto(file: File): Promise<void> {
  if (!navigator.onLine) throw networkError();
  const body = await shrink(file);
  const type = ACCEPTED.includes(body.type) ? body.type : file.type || "application/octet-stream";
  const profile = await unwrap(
    api.PUT("/api/me/photo", {
      body: body as never,
      bodySerializer: (blob: unknown) => blob as Blob,
      headers: { "Content-Type": type },
    }),
  );
  await stored("profile", profile);
}

export async function removePhoto(): Promise<void> {
  if (!navigator.onLine) throw networkError();
  await stored("profile", await unwrap(api.DELETE("/api/me/photo")));
}

/** Object URLs of the photos read so far, by their versioned URL: each is fetched once per page load. */
const loaded = new Map<string, Promise<string>>();

/** A card's photo, read with the device's token (an <img> could not send it): its object URL. */
export function photoObjectUrl(url: string): Promise<string> {
  let found = loaded.get(url);
  if (!found) {
    found = fetchPhoto(url);
    loaded.set(url, found);
    found.catch(() => loaded.delete(url)); // a failed read is tried again next time the card shows
  }
  return found;
}

async function fetchPhoto(url: string): Promise<string> {
  const [path = "", query] = url.split("?");
  const match = /^\/api\/events\/(\d+)\/attendees\/(\d+)\/photo$/.exec(path);
  if (!match) throw new ApiError(404, "NotFound", null);
  const version = new URLSearchParams(query).get("v") ?? undefined;
  const blob = await unwrap(
    api.GET("/api/events/{event_id}/attendees/{attendee_id}/photo", {
      params: { path: { event_id: Number(match[1]), attendee_id: Number(match[2]) }, query: { v: version } },
      parseAs: "blob",
    }),
  );
  return URL.createObjectURL(blob as Blob);
}
