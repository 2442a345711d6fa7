/** A chat: topics for messages and presence, and procedures for history. */
import type { Page, User } from './common.js';
import { Severity } from './common.js';

/** One chat message. */
export interface ChatMessage {
  id: string;
  author: User;
  text: string;
  /** Milliseconds since the epoch. */
  sentAt: number;
  /** Message bytes attached by the sender. */
  attachment?: Uint8Array | null;
  tags: string[];
  reactions: Record<string, number>;
}

/** What happened to a room member. */
export type PresenceEvent =
  | { kind: 'joined'; user: User }
  | { kind: 'left'; user: User; reason: string | null }
  | { kind: 'typing'; userId: string; until: number };

/** A system notice. */
export interface Notice {
  severity: Severity;
  text: string;
  /** Where the notice points: [line, column]. */
  at?: [line: number, column: number];
}

/**
 * Room events.
 * @wamp.topics com.example.chat
 * @wamp.acknowledge
 */
export interface Chat {
  /** A message was posted. */
  message(msg: ChatMessage): void;

  /**
   * Presence changes, published by the room service only.
   * @wamp.excludeMe false
   */
  presence(event: PresenceEvent): void;

  /**
   * Notices for any room: com.example.chat.room..notice (the room id is the empty component).
   * @wamp.uri com.example.chat.room..notice
   * @wamp.match wildcard
   */
  notice(notice: Notice): void;
}

/**
 * History and posting.
 * @wamp.procedures com.example.chat.rpc
 * @wamp.invoke roundrobin
 * @wamp.discloseCaller
 */
export interface ChatService {
  /** A page of a room's history, newest first. */
  history(room: string, cursor: string | null, limit?: number): Page<ChatMessage>;

  /** Posts a message and returns its id. */
  post(room: string, text: string): string;
}
