import type { Schemas } from "../api/client";
import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate } from "./resources";

export type ContactChange = Schemas["ContactUpdate"];
export interface ContactEdit {
  id: number;
  change: ContactChange;
}
export interface RequestAnswer {
  request_id: number;
}

const withKey = (key: string) => ({ "Idempotency-Key": key });

/** "Connect" on a suggestion. Asking twice changes nothing on the server. */
export const sendContactRequest: Sender = async (payload, key) => {
  const result = await api.POST("/api/contact-requests", {
    body: payload as Schemas["ContactRequestCreate"],
    headers: withKey(key),
  });
  // Two people who asked each other are contacts at once.
  if (result.data) invalidate("requests", "suggestions", "contacts", "networking");
  return result;
};

export const sendAccept: Sender = async (payload, key) => {
  const { request_id } = payload as RequestAnswer;
  const result = await api.POST("/api/contact-requests/{request_id}/accept", {
    params: { path: { request_id } },
    headers: withKey(key),
  });
  if (result.data) invalidate("requests", "contacts", "networking", "suggestions");
  return result;
};

export const sendDecline: Sender = async (payload, key) => {
  const { request_id } = payload as RequestAnswer;
  const result = await api.POST("/api/contact-requests/{request_id}/decline", {
    params: { path: { request_id } },
    headers: withKey(key),
  });
  if (result.response.ok) invalidate("requests");
  return result;
};

/** Decline, and block the sender: they cannot ask again, and neither sees the other any more. */
export const sendDeclineAndBlock: Sender = async (payload, key) => {
  const { request_id } = payload as RequestAnswer;
  const result = await api.POST("/api/contact-requests/{request_id}/decline-and-block", {
    params: { path: { request_id } },
    headers: withKey(key),
  });
  if (result.response.ok) invalidate("requests", "blocks", "suggestions");
  return result;
};

/** A scanned personal connect QR (or its /c/ link): showing one's code is consent, the contact exists. */
export const sendConnectScan: Sender = async (payload, key) => {
  const result = await api.POST("/api/contacts/scan", { body: payload as Schemas["ConnectScan"], headers: withKey(key) });
  if (result.data) invalidate("contacts", "networking", "suggestions", "requests");
  return result;
};

/** Note, tags, follow-up: PATCH sets the same values however often it is replayed. */
export const sendContactEdit: Sender = async (payload, key) => {
  const { id, change } = payload as ContactEdit;
  const result = await api.PATCH("/api/contacts/{contact_id}", {
    params: { path: { contact_id: id } },
    body: change,
    headers: withKey(key),
  });
  if (result.data) invalidate("contacts");
  return result;
};

export type SharingChoice = Schemas["SharingChoice"];

/** Which of my details an exchange shares. A PUT of the whole choice: replaying it sets the same
 * choice again, so it needs no Idempotency-Key to be safe to retry. */
export const sendSharing: Sender = async (payload) => {
  const result = await api.PUT("/api/me/sharing", { body: payload as SharingChoice });
  if (result.data) invalidate("sharing", "cardQr");
  return result;
};
