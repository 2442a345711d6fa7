# Autobahn|Python (asyncio) as a client of our router.
# usage: python3 autobahn-python-peer.py URL SERIALIZER PREFIX
# Registers PREFIX.add2, re-publishes PREFIX.in events to PREFIX.out, calls ours.echo, prints
# "ready", and leaves when an event arrives on PREFIX.stop.
import asyncio
import json
import sys

from autobahn.asyncio.wamp import ApplicationSession, ApplicationRunner
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer, CBORSerializer

# Autobahn|Python 22.7's asyncio RawSocket client stores `_transport_details` but the session
# reads `transport_details` (fixed upstream later); bridge the two so RawSocket sessions can join.
try:
    from autobahn.asyncio.rawsocket import WampRawSocketClientProtocol
    if not hasattr(WampRawSocketClientProtocol, 'transport_details'):
        WampRawSocketClientProtocol.transport_details = property(lambda self: getattr(self, '_transport_details', None))
except ImportError:
    pass

url, serializer_name, prefix = sys.argv[1:4]
SERIALIZERS = {'json': JsonSerializer, 'msgpack': MsgPackSerializer, 'cbor': CBORSerializer}


def say(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class Peer(ApplicationSession):
    async def onJoin(self, details):
        try:
            self.register(lambda x, y: x + y, prefix + '.add2')

            def on_in(*args, **kwargs):
                self.publish(prefix + '.out', *args, **kwargs)

            await self.subscribe(on_in, prefix + '.in')
            await self.subscribe(lambda *a, **k: self.leave(), prefix + '.stop')
            res = await self.call('ours.echo', 'from-python', n=1)
            first = res.results[0] if hasattr(res, 'results') else res
            if first != 'from-python':
                say('error echo mismatch ' + repr(res))
                self.leave()
                return
            say('ready')
        except Exception as e:  # report and leave: the test reads "error ..." lines
            say('error ' + repr(e))
            self.leave()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


async def watchdog():
    await asyncio.sleep(20)
    say('error peer timeout')
    asyncio.get_event_loop().stop()


if __name__ == '__main__':
    asyncio.set_event_loop(asyncio.new_event_loop())
    asyncio.get_event_loop().create_task(watchdog())
    runner = ApplicationRunner(url, 'realm1', serializers=[SERIALIZERS[serializer_name]()])
    runner.run(Peer, log_level='warn')
