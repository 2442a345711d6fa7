# Autobahn|Python (asyncio) as an Advanced Profile client of our router, driven line by line:
# the same protocol as advanced-autobahn-js.cjs.
# usage: python3 advanced-autobahn-python.py URL REALM CONFIG_JSON
# Sessions: ticket (authid joe), wampcra (authid peter), cryptosign (key from the seed), and
# "bad" (a wrong ticket, which the router must refuse). Prints JSON lines; reads JSON commands
# {id, op, s, ...} (subscribe, publish, call, register) from stdin; exits when stdin closes.
import asyncio
import inspect
import json
import sys

from autobahn.asyncio.wamp import ApplicationSession, ApplicationRunner
from autobahn.wamp import auth
from autobahn.wamp.cryptosign import CryptosignKey
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import JsonSerializer
from autobahn.wamp.types import CallOptions, CallResult, PublishOptions, RegisterOptions, SubscribeOptions

url, realm, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
key = CryptosignKey.from_bytes(bytes.fromhex(config['seed']))
sessions = {}
calls = {}  # calls in progress by the test's tag, for 'cancel'
pending = {'count': 0}


def say(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


JOIN = {
    'ticket': dict(authmethods=['ticket'], authid='joe'),
    'wampcra': dict(authmethods=['wampcra'], authid='peter'),
    'cryptosign': dict(authmethods=['cryptosign'], authextra={'pubkey': key.public_key()}),
    'bad': dict(authmethods=['ticket'], authid='joe'),
}


class Peer(ApplicationSession):
    def onConnect(self):
        self.name = self.config.extra['name']
        self.joined_once = False
        self.join(self.config.realm, **JOIN[self.name])

    async def onChallenge(self, challenge):
        if self.name == 'ticket':
            return config['ticket']
        if self.name == 'bad':
            return 'wrong ticket'
        if self.name == 'wampcra':
            signature = auth.compute_wcs(config['craSecret'].encode('utf8'), challenge.extra['challenge'].encode('utf8'))
            return signature.decode('ascii')
        signed = key.sign_challenge(challenge)
        if inspect.isawaitable(signed):
            signed = await signed
        return signed

    def onJoin(self, details):
        self.joined_once = True
        sessions[self.name] = self
        say({'ev': 'joined', 's': self.name, 'session': details.session, 'authid': details.authid,
             'authrole': details.authrole, 'authmethod': details.authmethod})
        self.config.extra['done'].set_result(None)

    def onLeave(self, details):
        if not self.joined_once:
            say({'ev': 'refused', 's': self.name, 'reason': details.reason})
            done = self.config.extra['done']
            if not done.done():
                done.set_result(None)
        self.disconnect()


def plain(value):
    if isinstance(value, CallResult):
        return {'args': list(value.results), 'kwargs': dict(value.kwresults)}
    return {'args': [] if value is None else [value], 'kwargs': {}}


def progress_endpoint(*args, **kwargs):
    details = kwargs.pop('details')
    if details.progress:
        details.progress(1)
        details.progress(2)
    return 3


def details_endpoint(*args, **kwargs):
    details = kwargs.pop('details')
    return CallResult(procedure=details.procedure, caller=details.caller)


async def slow_endpoint(*args, **kwargs):
    details = kwargs.pop('details')
    say({'ev': 'invoked', 'procedure': details.procedure})
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        say({'ev': 'interrupted', 'procedure': details.procedure})
        raise
    return 'too slow'


BEHAVIOURS = {'progress': progress_endpoint, 'details': details_endpoint, 'slow': slow_endpoint}


async def run(cmd):
    session = sessions[cmd['s']]
    op = cmd['op']
    options = cmd.get('options') or {}
    if op == 'subscribe':
        sub_topic = cmd['topic']

        def on_event(*args, **kwargs):
            details = kwargs.pop('details')
            say({'ev': 'event', 's': cmd['s'], 'sub': sub_topic, 'topic': details.topic or sub_topic,
                 'args': list(args), 'kwargs': kwargs, 'publisher': details.publisher,
                 'retained': details.retained is True})

        sub = await session.subscribe(on_event, sub_topic, options=SubscribeOptions(details=True, **options))
        return {'subscription': sub.id}
    if op == 'publish':
        await session.publish(cmd['topic'], *(cmd.get('args') or []), options=PublishOptions(acknowledge=True, **options),
                              **(cmd.get('kwargs') or {}))
        return {}
    if op == 'call':
        progress = []
        call_kwargs = {}
        if options.get('receive_progress'):
            call_kwargs['on_progress'] = lambda *a, **k: progress.append(list(a))
        if 'timeout' in options:
            call_kwargs['timeout'] = options['timeout']
        call_options = CallOptions(**call_kwargs) if call_kwargs else None
        pending_call = session.call(cmd['procedure'], *(cmd.get('args') or []), options=call_options, **(cmd.get('kwargs') or {}))
        if 'tag' in cmd:
            calls[cmd['tag']] = pending_call
        result = await pending_call
        return dict(plain(result), progress=progress)
    if op == 'cancel':
        # Autobahn|Python sends CANCEL without a mode (the dealer's default, kill).
        calls[cmd['tag']].cancel()
        return {}
    if op == 'register':
        reg = await session.register(BEHAVIOURS[cmd['behaviour']], cmd['procedure'], options=RegisterOptions(details=True, **options))
        return {'registration': reg.id}
    raise ValueError('unknown op ' + op)


async def answer(cmd):
    try:
        reply = await run(cmd)
        say(dict(reply, id=cmd['id'], ok=True))
    except ApplicationError as e:
        say({'id': cmd['id'], 'ok': False, 'error': e.error})
    except asyncio.CancelledError:
        say({'id': cmd['id'], 'ok': False, 'error': 'cancelled'})
    except Exception as e:  # reported to the test, which fails with it
        say({'id': cmd['id'], 'ok': False, 'error': repr(e)})


async def main(loop):
    for name in JOIN:
        done = loop.create_future()
        runner = ApplicationRunner(url, realm, extra={'name': name, 'done': done}, serializers=[JsonSerializer()])
        await runner.run(Peer, start_loop=False, log_level='critical')
        await asyncio.wait_for(done, 30)
    say({'ev': 'ready'})
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        if line.strip():
            loop.create_task(answer(json.loads(line)))
    for s in list(sessions.values()):
        try:
            await s.leave()
        except Exception:
            pass
    await asyncio.sleep(0.1)


async def watchdog():
    await asyncio.sleep(90)
    say({'ev': 'error', 'message': 'peer timeout'})
    sys.exit(1)


if __name__ == '__main__':
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.create_task(watchdog())
    loop.run_until_complete(main(loop))
