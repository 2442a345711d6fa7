/**
 * A connection's closing handshake (RFC 6455 section 7) as a record: what was sent and
 * received, what failed it, and the CloseInfo it ends with. Pure data; the connection does the
 * I/O and makes one only once closing begins, so an idle connection carries none.
 */
import type { CloseInfo } from './connection-types.js';
import { CloseCode } from './constants.js';

export class CloseState {
  /** We sent (or queued) a close frame: no more data may follow. */
  sent = false;
  /** The peer's close frame arrived, with `code` (1005 when it had none) and `reason`. */
  received = false;
  code: number = CloseCode.ABNORMAL;
  reason = '';
  /** The error that failed the connection (a protocol violation, the socket's error). */
  failure: Error | null = null;
  /** Why the close is not clean although nothing failed (terminated, a peer too slow to close). */
  unclean: string | null = null;

  /** What 'close' reports once the TCP connection is gone. */
  info(): CloseInfo {
    const received = this.received;
    return {
      wasClean: received && this.sent && this.failure === null && this.unclean === null,
      code: received ? this.code : CloseCode.ABNORMAL,
      reason: received ? this.reason : (this.failure?.message ?? this.unclean ?? 'connection closed without a close frame'),
    };
  }
}
