import { useEffect, useState } from "preact/hooks";
import { sendBookmark, sendUnbookmark } from "../data/agenda";
import {
  sendAccept,
  sendConnectScan,
  sendContactEdit,
  sendContactRequest,
  sendDecline,
  sendDeclineAndBlock,
  sendSharing,
} from "../data/contacts";
import { sendCheckin, sendLeave } from "../data/presence";
import { sendProfile } from "../data/profile";
import { sendNudgeOpened, sendPushPreferences, sendPushSubscription } from "../data/push";
import { sendRendezvous, sendRendezvousAnswer, sendRendezvousCounter } from "../data/rendezvous";
import { sendBlock, sendReport, sendUnblock } from "../data/safety";
import { sendForgetSaved, sendSave } from "../data/saved";
import { database, type OutboxItem } from "../offline/db";
import { createOutbox, type OutboxState } from "../offline/queue";
import { tokenStore } from "../auth/session";
import { lastSuccess } from "./api";
import { exclusive } from "./locks";

let retry: ReturnType<typeof setTimeout> | undefined;

/** The kinds of writes this phone queues, each replayed by its sender with its original Idempotency-Key. */
export const SENDERS = {
  profile: sendProfile,
  checkin: sendCheckin,
  leave: sendLeave,
  contactRequest: sendContactRequest,
  accept: sendAccept,
  decline: sendDecline,
  declineAndBlock: sendDeclineAndBlock,
  connectScan: sendConnectScan,
  contactEdit: sendContactEdit,
  sharing: sendSharing,
  block: sendBlock,
  unblock: sendUnblock,
  report: sendReport,
  save: sendSave,
  forgetSaved: sendForgetSaved,
  pushPreferences: sendPushPreferences,
  pushSubscription: sendPushSubscription,
  rendezvous: sendRendezvous,
  rendezvousAnswer: sendRendezvousAnswer,
  rendezvousCounter: sendRendezvousCounter,
  nudgeOpened: sendNudgeOpened, // written by the service worker (src/sw/push.ts)
  bookmark: sendBookmark,
  unbookmark: sendUnbookmark,
};
export type WriteKind = keyof typeof SENDERS;

/** Writes made on this phone, kept until the server has them. */
export const outbox = createOutbox({
  db: database,
  senders: SENDERS,
  exclusive: exclusive("couloir-outbox"),
  owner() {
    const tokens = tokenStore.current();
    return tokens ? `${tokens.subject_kind}:${tokens.subject_id}` : undefined;
  },
  schedule(run, delayMs) {
    clearTimeout(retry);
    retry = setTimeout(run, delayMs);
  },
});

/** Replays on app start, when the browser says it is online, and after any request that worked. */
export function startSync(): void {
  void outbox.replay();
  window.addEventListener("online", () => void outbox.replay());
  lastSuccess.subscribe(() => void outbox.replay());
}

export function useOutbox(): OutboxState {
  const [state, setState] = useState(outbox.state);
  useEffect(() => {
    setState(outbox.state);
    return outbox.subscribe(setState);
  }, []);
  return state;
}

/** The writes of some kinds still waiting, oldest first; follows the outbox as it drains. */
export function usePending(...kinds: WriteKind[]): OutboxItem[] {
  const state = useOutbox(); // a new object on every change of the outbox
  const [items, setItems] = useState<OutboxItem[]>([]);
  const key = kinds.join();
  useEffect(() => {
    let live = true;
    void database()
      .then((db) => db.getAllFromIndex("outbox", "createdAt"))
      .then((all) => live && setItems(all.filter((item) => kinds.includes(item.kind as WriteKind))));
    return () => {
      live = false;
    };
  }, [state, key]);
  return items;
}
