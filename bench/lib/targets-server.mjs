// Fake status services for the benches, run in their own process: GET /s/<n> answers
// {"status","message"} (GET /n/<n> a number, {"queue": 3}); the parent sets a target's status over IPC
// ({ set: n, status } or { setMany: [n…], status }) and may ask when each target was first polled ({ firsts: true }).
// A DNS server on a loopback UDP port answers A 127.0.0.1 for every name.
import http from 'node:http';
import dgram from 'node:dgram';
import packet from 'dns-packet';

const ports = Number(process.argv[2] ?? 4);
const overrides = new Map();
// Epoch ms of each target's first request: the start-up bench's histogram of first polls.
const firsts = new Map();
const OK = Buffer.from(JSON.stringify({ status: 'OK', message: 'fine' }));
const NUMBER = Buffer.from(JSON.stringify({ queue: 3 }));

function handler(req, res) {
  const n = req.url.startsWith('/s/') ? req.url.slice(3) : '';
  if (!firsts.has(n)) firsts.set(n, Date.now());
  const status = overrides.get(n);
  const number = req.url.startsWith('/n/');
  const body = number ? NUMBER : status ? Buffer.from(JSON.stringify({ status, message: `it is ${status}` })) : OK;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

const set = (n, status) => {
  if (status === 'OK') overrides.delete(String(n));
  else overrides.set(String(n), status);
};

const listening = [];
for (let i = 0; i < ports; i++) {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  listening.push(new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))));
}
process.on('message', (msg) => {
  if (msg.set !== undefined) {
    set(msg.set, msg.status);
    process.send({ done: msg.set });
  } else if (msg.setMany !== undefined) {
    for (const n of msg.setMany) set(n, msg.status);
    process.send({ done: msg.setMany.length });
  } else if (msg.firsts) {
    process.send({ firsts: [...firsts.values()] });
    if (msg.reset) firsts.clear();
  }
});
process.on('disconnect', () => process.exit(0));
const dns = dgram.createSocket('udp4');
dns.on('message', (msg, peer) => {
  let query;
  try {
    query = packet.decode(msg);
  } catch {
    return;
  }
  const answers = query.questions.map((q) => ({ type: 'A', name: q.name, ttl: 60, data: '127.0.0.1' }));
  dns.send(
    packet.encode({ id: query.id, type: 'response', flags: 0x180, questions: query.questions, answers }),
    peer.port,
    peer.address,
  );
});
const dnsPort = new Promise((resolve) => dns.bind(0, '127.0.0.1', () => resolve(dns.address().port)));
Promise.all([Promise.all(listening), dnsPort]).then(([list, port]) => process.send({ ports: list, dnsPort: port }));
