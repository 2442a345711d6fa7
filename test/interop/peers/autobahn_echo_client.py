"""Autobahn|Python (asyncio) client that checks an echo server, for wampkit's interop tests.

Sends, one after another, a text and a binary message of each --sizes byte count (deterministic
content), checks each echo (type and bytes), then closes with 1000. Prints one line per message
("ok text 1024" / "FAIL ...") and a final "RESULT ok N" or "RESULT fail ..."; exits 0 only if all
echoes matched and the close was clean. Gives up after --timeout seconds.
"""
import argparse
import asyncio
import sys

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol
from autobahn.websocket.compress import (
    PerMessageDeflateOffer,
    PerMessageDeflateResponse,
    PerMessageDeflateResponseAccept,
)


def payload_of(size, binary):
    if binary:
        return bytes(i & 0xFF for i in range(min(size, 256))) * (size // 256) + bytes(i & 0xFF for i in range(size % 256))
    unit = "κόσμε 😀 wampkit interop "  # multi-byte UTF-8 on purpose
    raw = (unit * (size // len(unit.encode()) + 1)).encode()[:size]
    # Cut back to a code point boundary, then pad with ASCII to the exact size.
    text = raw.decode("utf-8", errors="ignore").encode()
    return text + b"x" * (size - len(text))


class CheckingProtocol(WebSocketClientProtocol):
    def onOpen(self):
        self.factory.state["extensions"] = [str(e) for e in self.websocket_extensions_in_use]
        self.plan = [(size, binary) for size in self.factory.sizes for binary in self.factory.kinds]
        self.index = 0
        self.sendNext()

    def sendNext(self):
        if self.index >= len(self.plan):
            self.sendClose(1000)
            return
        size, binary = self.plan[self.index]
        self.expected = (payload_of(size, binary), binary)
        self.sendMessage(self.expected[0], isBinary=binary)

    def onMessage(self, payload, isBinary):
        want, binary = self.expected
        kind = "binary" if binary else "text"
        if isBinary != binary or payload != want:
            self.factory.state["failures"].append(f"{kind} {len(want)}: echo differs ({len(payload)} B, binary={isBinary})")
            print(f"FAIL {kind} {len(want)}", flush=True)
        else:
            self.factory.state["ok"] += 1
            print(f"ok {kind} {len(want)}", flush=True)
        self.index += 1
        self.sendNext()

    def onClose(self, wasClean, code, reason):
        self.factory.state["close"] = (wasClean, code, reason)
        if not self.factory.done.done():
            self.factory.done.set_result(True)


def accept_response(response):
    if isinstance(response, PerMessageDeflateResponse):
        return PerMessageDeflateResponseAccept(response)
    return None


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--deflate", action="store_true")
    parser.add_argument("--sizes", default="0,16,1024,65536,1048576")
    parser.add_argument("--kinds", default="text,binary")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    factory = WebSocketClientFactory(args.url)
    factory.protocol = CheckingProtocol
    factory.sizes = [int(s) for s in args.sizes.split(",") if s != ""]
    factory.kinds = [k == "binary" for k in args.kinds.split(",")]
    factory.state = {"ok": 0, "failures": [], "close": None, "extensions": []}
    factory.done = loop.create_future()
    # A loaded CI box can take longer than Autobahn's 1 s default to finish the closing handshake.
    options = dict(maxFramePayloadSize=0, maxMessagePayloadSize=0, failByDrop=False, closeHandshakeTimeout=10)
    if args.deflate:
        options["perMessageCompressionOffers"] = [PerMessageDeflateOffer(accept_max_window_bits=True)]
        options["perMessageCompressionAccept"] = accept_response
    factory.setProtocolOptions(**options)

    host, port = factory.host, factory.port
    try:
        transport, _ = await asyncio.wait_for(loop.create_connection(factory, host, port), args.timeout)
        await asyncio.wait_for(factory.done, args.timeout)
    except asyncio.TimeoutError:
        print("RESULT fail timeout", flush=True)
        return 1
    state = factory.state
    print(f"extensions {state['extensions']}", flush=True)
    clean, code, reason = state["close"]
    expected = len(factory.sizes) * len(factory.kinds)
    if state["failures"] or state["ok"] != expected or not clean or code != 1000:
        print(f"RESULT fail ok={state['ok']}/{expected} failures={state['failures']} close={state['close']}", flush=True)
        return 1
    print(f"RESULT ok {state['ok']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
