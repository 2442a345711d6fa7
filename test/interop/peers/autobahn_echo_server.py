"""Autobahn|Python (asyncio) echo server for wampkit's interop tests.

Listens on 127.0.0.1, port 0 unless --port is given, prints exactly one line
"listening on ws://127.0.0.1:PORT" once ready, echoes every message with its type, and exits
after --lifetime seconds at the latest (so a test that dies cannot leave it behind).
"""
import argparse
import asyncio
import sys

from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.compress import PerMessageDeflateOffer, PerMessageDeflateOfferAccept


class EchoProtocol(WebSocketServerProtocol):
    def onMessage(self, payload, isBinary):
        self.sendMessage(payload, isBinary)


def accept_deflate(offers):
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer)
    return None


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--deflate", action="store_true")
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()

    factory = WebSocketServerFactory("ws://127.0.0.1")
    factory.protocol = EchoProtocol
    options = dict(maxFramePayloadSize=0, maxMessagePayloadSize=0, autoFragmentSize=0, failByDrop=False)
    if args.deflate:
        options["perMessageCompressionAccept"] = accept_deflate
    factory.setProtocolOptions(**options)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on ws://127.0.0.1:{port}", flush=True)
    try:
        await asyncio.sleep(args.lifetime)
    finally:
        server.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
