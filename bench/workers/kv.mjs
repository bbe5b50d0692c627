// An in-memory Workers KV for bare workerd. workerd's `kvNamespace` binding speaks HTTP to the
// service it is bound to (workerd src/workerd/api/kv.c++):
//   GET    https://fake-host/<key>?urlencoded=true[&cache_ttl=N]   200 + value, or 404
//   PUT    https://fake-host/<key>?urlencoded=true[&expiration=T][&expiration_ttl=N]  (+ CF-KV-Metadata)
//   DELETE https://fake-host/<key>?urlencoded=true
//   GET    https://fake-host/?prefix=&key_count_limit=&cursor=      list, JSON
// The key is percent-encoded in the path. As in production, an expiration_ttl under 60 s (or an
// expiration less than 60 s ahead) is refused with 400, and expired keys read as missing.
// State lives in this isolate's memory for the life of the workerd process.

const MIN_TTL_SECONDS = 60;
const store = new Map(); // key -> { value: ArrayBuffer, expiresAt: ms | null, metadata: string | null }

function live(key, now) {
  const entry = store.get(key);
  if (!entry) return null;
  if (entry.expiresAt !== null && entry.expiresAt <= now) {
    store.delete(key);
    return null;
  }
  return entry;
}

function bad(message) {
  return new Response(message, { status: 400 });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const now = Date.now();
    const rawKey = url.pathname.slice(1);
    let key;
    try {
      key = decodeURIComponent(rawKey);
    } catch {
      return bad('malformed key');
    }

    if (key === '') {
      if (request.method !== 'GET') return new Response(null, { status: 405 });
      const prefix = url.searchParams.get('prefix') ?? '';
      const limit = Number(url.searchParams.get('key_count_limit') ?? 1000);
      const keys = [];
      for (const name of [...store.keys()].sort()) {
        if (!name.startsWith(prefix)) continue;
        const entry = live(name, now);
        if (!entry) continue;
        const item = { name };
        if (entry.expiresAt !== null) item.expiration = Math.floor(entry.expiresAt / 1000);
        if (entry.metadata !== null) item.metadata = entry.metadata;
        keys.push(item);
        if (keys.length >= limit) break;
      }
      return Response.json({ keys, list_complete: true, cacheStatus: null });
    }

    switch (request.method) {
      case 'GET': {
        const entry = live(key, now);
        if (!entry) return new Response(null, { status: 404 });
        const headers = entry.metadata !== null ? { 'CF-KV-Metadata': entry.metadata } : {};
        return new Response(entry.value, { headers });
      }
      case 'PUT': {
        let expiresAt = null;
        const ttl = url.searchParams.get('expiration_ttl');
        const at = url.searchParams.get('expiration');
        if (ttl !== null) {
          const n = Number(ttl);
          if (!Number.isFinite(n) || n < MIN_TTL_SECONDS) {
            return bad(`Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${MIN_TTL_SECONDS}.`);
          }
          expiresAt = now + n * 1000;
        } else if (at !== null) {
          const t = Number(at) * 1000;
          if (!Number.isFinite(t) || t < now + MIN_TTL_SECONDS * 1000) {
            return bad(`Invalid expiration of ${at}. Expiration times must be at least ${MIN_TTL_SECONDS} seconds in the future.`);
          }
          expiresAt = t;
        }
        const value = await request.arrayBuffer();
        store.set(key, { value, expiresAt, metadata: request.headers.get('CF-KV-Metadata') });
        return new Response(null, { status: 200 });
      }
      case 'DELETE':
        store.delete(key);
        return new Response(null, { status: 200 });
      default:
        return new Response(null, { status: 405 });
    }
  },
};
