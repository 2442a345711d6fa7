/**
 * A ledger with 64-bit amounts: bigint needs a binary serializer, so this API declares that it
 * runs over MessagePack or CBOR only.
 */

/** A ledger entry. Amounts are in micro-units, which overflow a double. */
export interface Entry {
  account: string;
  amount: bigint;
  memo: string | null;
}

/**
 * @wamp.procedures com.example.ledger
 * @wamp.serializers msgpack cbor
 */
export interface Ledger {
  /** Books an entry; returns the new balance. */
  book(entry: Entry): bigint;
  balance(account: string): bigint;
}
