# Autobahn|Python (asyncio) as a client of our router.
# usage: python3 autobahn-python-peer.py PREFIX URL... (each URL ws://... or rs://...)
# For each URL and each serializer (json, msgpack, cbor) one session, prefix
# PREFIX.<ws|rs>.<serializer>: registers .add2, re-publishes .in events to .out, calls
# ours.echo. Prints "ready" once all sessions are set up; every session leaves when an event
# arrives on PREFIX.stop, and the process exits once all have disconnected.
import asyncio
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

prefix, urls = sys.argv[1], sys.argv[2:]
SERIALIZERS = {'json': JsonSerializer, 'msgpack': MsgPackSerializer, 'cbor': CBORSerializer}
state = {'ready': 0, 'open': 0, 'total': len(urls) * len(SERIALIZERS)}


def say(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class Peer(ApplicationSession):
    async def onJoin(self, details):
        p = self.config.extra['prefix']
        state['open'] += 1
        try:
            await self.register(lambda x, y: x + y, p + '.add2')

            def on_in(*args, **kwargs):
                self.publish(p + '.out', *args, **kwargs)

            await self.subscribe(on_in, p + '.in')
            await self.subscribe(lambda *a, **k: self.leave(), prefix + '.stop')
            res = await self.call('ours.echo', 'from-python', n=1)
            first = res.results[0] if hasattr(res, 'results') else res
            if first != 'from-python':
                say('error echo mismatch ' + repr(res))
                return
            state['ready'] += 1
            if state['ready'] == state['total']:
                say('ready')
        except Exception as e:  # report: the test reads "error ..." lines
            say('error ' + repr(e))

    def onDisconnect(self):
        state['open'] -= 1
        if state['open'] <= 0:
            asyncio.get_event_loop().stop()


async def watchdog():
    await asyncio.sleep(60)
    say('error peer timeout')
    asyncio.get_event_loop().stop()


if __name__ == '__main__':
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.create_task(watchdog())
    for url in urls:
        kind = 'rs' if url.startswith('rs') else 'ws'
        for name, serializer in SERIALIZERS.items():
            runner = ApplicationRunner(url, 'realm1', extra={'prefix': '%s.%s.%s' % (prefix, kind, name)},
                                       serializers=[serializer()])
            loop.run_until_complete(runner.run(Peer, start_loop=False, log_level='warn'))
    loop.run_forever()
