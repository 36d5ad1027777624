// Load generator and latency probe for the non-Kafka systems of bench/compare/run.sh:
// Redis Streams (ioredis), NATS JetStream (nats.js) and PostgreSQL (node-postgres).
// Every loop is bounded by a record count and a deadline.
//
//   node probe.mjs produce  SYSTEM COUNT SIZE            -> "records_per_s"
//   node probe.mjs consume  SYSTEM COUNT GROUPS          -> "records_per_s" (all groups together)
//   node probe.mjs lat-consume SYSTEM COUNT OUTFILE      -> prints "ready", writes latencies (µs)
//   node probe.mjs lat-produce SYSTEM RATE SECONDS SIZE  -> "achieved_rate"
//
// SYSTEM is redis, nats or pg; where they listen comes from REDIS_PORT, NATS_URL, PG_URL.
// Topic names: the stream/subject/table "ev" (TOPIC overrides).
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const [mode, system, ...rest] = process.argv.slice(2);
const topic = process.env.TOPIC ?? "ev";
const DEADLINE_MS = Number(process.env.DEADLINE_S ?? 300) * 1000;
const started = performance.now();
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const overdue = () => performance.now() - started > DEADLINE_MS;

function payload(size, stamp) {
  const head = stamp === undefined ? "" : `T${stamp}:`;
  return Buffer.from(head.padEnd(Math.max(size, head.length), "x"));
}
function stampOf(buf) {
  const s = Buffer.from(buf.buffer, buf.byteOffset, Math.min(24, buf.byteLength)).toString("latin1");
  return Number(s.slice(1, s.indexOf(":")));
}

// ---------------------------------------------------------------- adapters
async function redisAdapter() {
  const { default: Redis } = await import("ioredis");
  const open = () => new Redis({ host: "127.0.0.1", port: Number(process.env.REDIS_PORT), maxRetriesPerRequest: 3 });
  const cmd = open();
  return {
    async send(bufs) {
      const p = cmd.pipeline();
      for (const b of bufs) p.xadd(topic, "*", "v", b);
      const results = await p.exec();
      if (results.some(([err]) => err)) throw new Error("XADD failed");
    },
    async reader(group, fromStart) {
      const c = open();
      await c.xgroup("CREATE", topic, group, fromStart ? "0" : "$", "MKSTREAM").catch(() => {});
      return async () => {
        const r = await c.xreadgroupBuffer("GROUP", group, "c", "COUNT", 1000, "BLOCK", 100, "NOACK", "STREAMS", topic, ">");
        if (!r) return [];
        return r[0][1].map(([, fields]) => fields[1]);
      };
    },
    async close() { cmd.disconnect(); },
  };
}

async function natsAdapter() {
  const { connect, createInbox, AckPolicy, DeliverPolicy, StorageType } = await import("nats");
  const nc = await connect({ servers: process.env.NATS_URL });
  const jsm = await nc.jetstreamManager();
  try { await jsm.streams.info(topic); } catch {
    await jsm.streams.add({ name: topic, subjects: [`${topic}.>`], storage: StorageType.File });
  }
  const js = nc.jetstream();
  const iterators = [];
  // Asynchronous publishing with every PubAck sent to one inbox: at most 10,000 unacknowledged.
  const inbox = createInbox();
  let sent = 0, acked = 0, failed = 0, wake = null;
  nc.subscribe(inbox, { callback: (err, m) => {
    acked++;
    if (err || m.data.length === 0 || m.data[2] !== 0x73 /* {"stream" */) failed++;
    if (wake && sent - acked < 5000) { const w = wake; wake = null; w(); }
  } });
  const waitAcks = async (limit) => {
    for (let i = 0; sent - acked > limit && i < 3000; i++) await Promise.race([new Promise((r) => { wake = r; }), sleep(10)]);
    if (failed) throw new Error(`${failed} publishes not acknowledged by the stream`);
  };
  return {
    async send(bufs) {
      for (const b of bufs) { nc.publish(`${topic}.a`, b, { reply: inbox }); sent++; }
      await waitAcks(10000);
    },
    async flush() { await waitAcks(0); if (sent !== acked) throw new Error(`${sent - acked} publishes unacknowledged`); },
    async reader(group, fromStart) {
      await jsm.consumers.add(topic, { durable_name: group, ack_policy: AckPolicy.None,
        deliver_policy: fromStart ? DeliverPolicy.All : DeliverPolicy.New });
      const consumer = await js.consumers.get(topic, group);
      const messages = await consumer.consume({ max_messages: 2000 });
      iterators.push(messages);
      const buf = [];
      let waiter = null;
      (async () => {
        for await (const m of messages) {
          buf.push(m.data);
          if (waiter) { const w = waiter; waiter = null; w(); }
        }
      })().catch(() => {}); // ends when close() stops the iterator
      return async () => {
        if (buf.length === 0) await Promise.race([new Promise((r) => { waiter = r; }), sleep(100)]);
        return buf.splice(0);
      };
    },
    async close() {
      for (const it of iterators) it.stop();
      await nc.drain().catch(() => {});
    },
  };
}

async function pgAdapter() {
  const { default: pg } = await import("pg");
  const open = async () => { const c = new pg.Client({ connectionString: process.env.PG_URL }); await c.connect(); return c; };
  const cmd = await open();
  await cmd.query(`CREATE TABLE IF NOT EXISTS ${topic} (id bigserial PRIMARY KEY, payload bytea NOT NULL)`);
  return {
    async send(bufs, conn = cmd) {
      // One multi-row INSERT per call: the database approach's batching.
      for (let i = 0; i < bufs.length; i += 1000) {
        const chunk = bufs.slice(i, i + 1000);
        const values = chunk.map((_, j) => `($${j + 1})`).join(",");
        await conn.query(`INSERT INTO ${topic} (payload) VALUES ${values}`, chunk);
      }
    },
    open,
    async reader() {
      const c = await open();
      let last = 0;
      return async () => {
        const r = await c.query({ text: `SELECT id, payload FROM ${topic} WHERE id > $1 ORDER BY id LIMIT 1000`, values: [last], rowMode: "array" });
        if (r.rows.length === 0) { await sleep(0); return []; }
        last = r.rows[r.rows.length - 1][0];
        return r.rows.map((row) => row[1]);
      };
    },
    async close() { await cmd.end(); },
  };
}

const adapters = { redis: redisAdapter, nats: natsAdapter, postgres: pgAdapter };

// ---------------------------------------------------------------- modes
async function produce(a, count, size) {
  const value = payload(size);
  const batch = 1000;
  const t0 = performance.now();
  if (system === "postgres") {
    // Four connections insert concurrently (one multi-row INSERT of 1,000 rows at a time each).
    const conns = await Promise.all([0, 1, 2, 3].map(() => a.open()));
    let next = 0;
    await Promise.all(conns.map(async (c) => {
      while (next < count && !overdue()) {
        const n = Math.min(batch, count - next);
        next += n;
        await a.send(Array(n).fill(value), c);
      }
      await c.end();
    }));
  } else {
    for (let sent = 0; sent < count && !overdue(); sent += batch) {
      await a.send(Array(Math.min(batch, count - sent)).fill(value));
    }
    if (a.flush) await a.flush();
  }
  const s = (performance.now() - t0) / 1000;
  console.log(Math.round(count / s));
}

async function consume(a, count, groups) {
  const readers = [];
  for (let g = 0; g < groups; g++) readers.push(await a.reader(`g${Date.now()}-${g}`, true));
  const t0 = performance.now();
  await Promise.all(readers.map(async (read) => {
    let n = 0;
    while (n < count && !overdue()) n += (await read()).length;
    if (n < count) throw new Error(`consumed ${n} of ${count}`);
  }));
  const s = (performance.now() - t0) / 1000;
  console.log(Math.round((count * groups) / s));
}

async function latConsume(a, count, out) {
  const read = await a.reader(`lat${Date.now()}`, false);
  console.log("ready");
  const lat = [];
  while (lat.length < count && !overdue()) {
    const got = await read();
    const t = nowUs();
    for (const b of got) lat.push(t - stampOf(b));
  }
  writeFileSync(out, lat.join("\n") + "\n");
}

async function latProduce(a, rate, seconds, size) {
  const total = rate * seconds;
  const t0 = performance.now();
  let sent = 0;
  while (sent < total && !overdue()) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    if (due > sent) {
      const bufs = [];
      for (; sent < due; sent++) bufs.push(payload(size, nowUs()));
      await a.send(bufs);
    } else {
      await sleep(1);
    }
  }
  if (a.flush) await a.flush();
  console.log(Math.round(sent / ((performance.now() - t0) / 1000)));
}

const a = await adapters[system]();
const n = (i) => Number(rest[i]);
if (mode === "produce") await produce(a, n(0), n(1));
else if (mode === "consume") await consume(a, n(0), n(1));
else if (mode === "lat-consume") await latConsume(a, n(0), rest[1]);
else if (mode === "lat-produce") await latProduce(a, n(0), n(1), n(2));
else throw new Error(`unknown mode ${mode}`);
await a.close();
process.exit(0);
