import type { Schemas } from "../api/client";
import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate } from "./resources";

export type Rendezvous = Schemas["RendezvousPublic"];
export type RendezvousProposal = Schemas["RendezvousCreate"];
export type RendezvousVerb = "accept" | "decline" | "cancel" | "met";
export interface RendezvousAnswer {
  rendezvous_id: number;
  verb: RendezvousVerb;
}
export interface RendezvousCounter {
  rendezvous_id: number;
  proposal: Schemas["CounterProposal"];
}

const withKey = (key: string) => ({ "Idempotency-Key": key });

/** A proposal. Two phones proposing to each other offline end with one rendezvous on the server. */
export const sendRendezvous: Sender = async (payload, key) => {
  const result = await api.POST("/api/me/rendezvous", { body: payload as RendezvousProposal, headers: withKey(key) });
  if (result.data) invalidate("rendezvous");
  return result;
};

const ANSWER_PATHS = {
  accept: "/api/me/rendezvous/{rendezvous_id}/accept",
  decline: "/api/me/rendezvous/{rendezvous_id}/decline",
  cancel: "/api/me/rendezvous/{rendezvous_id}/cancel",
  met: "/api/me/rendezvous/{rendezvous_id}/met",
} as const;

export const sendRendezvousAnswer: Sender = async (payload, key) => {
  const { rendezvous_id, verb } = payload as RendezvousAnswer;
  const result = await api.POST(ANSWER_PATHS[verb], { params: { path: { rendezvous_id } }, headers: withKey(key) });
  if (result.data) invalidate("rendezvous");
  return result;
};

export const sendRendezvousCounter: Sender = async (payload, key) => {
  const { rendezvous_id, proposal } = payload as RendezvousCounter;
  const result = await api.POST("/api/me/rendezvous/{rendezvous_id}/counter", {
    params: { path: { rendezvous_id } },
    body: proposal,
    headers: withKey(key),
  });
  if (result.data) invalidate("rendezvous");
  return result;
};
