# Autobahn|Python (asyncio) with WAMP-cryptobox end-to-end encryption, as a client of our router.
# usage: python3 autobahn-cryptobox-peer.py URL SERIALIZER KEYS_JSON
# KEYS_JSON: {"peer_priv": ..., "ours_pub": ...} (Base64 X25519 keys). The peer's key ring holds
# Key(originator_priv=peer, responder_pub=ours) for "py.e2e." and "ours.e2e." URIs (the peer
# originates those: it calls and publishes) and Key(responder_priv=peer, originator_pub=ours)
# for "pyserve.e2e." (it is the responder: callee and subscriber). Registers pyserve.e2e.echo
# (echoes args reversed, kwargs plus by=python) and pyserve.e2e.fail (raises
# com.example.e2e_failed), subscribes pyserve.e2e.topic (prints "event <json>"), then calls
# ours.e2e.echo (prints "call <json>"), publishes ours.e2e.topic, and prints "ready".
# Exits when stdin closes.
import asyncio
import json
import sys

from autobahn.asyncio.wamp import ApplicationSession, ApplicationRunner
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer, CBORSerializer
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.cryptobox import KeyRing, Key
from autobahn.wamp.types import CallResult, PublishOptions, RegisterOptions, SubscribeOptions

url, serializer_name, keys_json = sys.argv[1], sys.argv[2], sys.argv[3]
keys = json.loads(keys_json)
SERIALIZERS = {'json': JsonSerializer, 'msgpack': MsgPackSerializer, 'cbor': CBORSerializer}


def say(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class Peer(ApplicationSession):
    async def onJoin(self, details):
        try:
            ring = KeyRing()
            originating = Key(originator_priv=keys['peer_priv'], responder_pub=keys['ours_pub'])
            responding = Key(responder_priv=keys['peer_priv'], originator_pub=keys['ours_pub'])
            ring.set_key('ours.e2e.', originating)
            ring.set_key('pyserve.e2e.', responding)
            self.set_payload_codec(ring)

            def echo(*args, details=None, **kwargs):
                # enc: how the call arrived (None if it came in the clear).
                return CallResult(*reversed(args), **dict(kwargs, by='python', enc=details.enc_algo))

            def fail(*args, **kwargs):
                raise ApplicationError('com.example.e2e_failed', 'python says no', code=7)

            def on_event(*args, details=None, **kwargs):
                say('event ' + json.dumps({'args': list(args), 'kwargs': kwargs, 'enc': details.enc_algo}))

            await self.register(echo, 'pyserve.e2e.echo', options=RegisterOptions(details_arg='details'))
            await self.register(fail, 'pyserve.e2e.fail')
            await self.subscribe(on_event, 'pyserve.e2e.topic', options=SubscribeOptions(details_arg='details'))
            res = await self.call('ours.e2e.echo', 'from-python', 2, n=3)
            results = {'args': list(res.results), 'kwargs': res.kwresults} if hasattr(res, 'results') else {'args': [res], 'kwargs': {}}
            say('call ' + json.dumps(results))
            await self.publish('ours.e2e.topic', 'py-event', 1, k='v', options=PublishOptions(acknowledge=True))
            say('ready')
            loop = asyncio.get_event_loop()
            await loop.run_in_executor(None, sys.stdin.read)
            self.leave()
        except Exception as e:  # report: the test reads "error ..." lines
            say('error ' + repr(e))
            self.leave()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


async def watchdog():
    await asyncio.sleep(60)
    say('error peer timeout')
    asyncio.get_event_loop().stop()


if __name__ == '__main__':
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.create_task(watchdog())
    runner = ApplicationRunner(url, 'realm1', serializers=[SERIALIZERS[serializer_name]()])
    loop.run_until_complete(runner.run(Peer, start_loop=False, log_level='warn'))
    loop.run_forever()
