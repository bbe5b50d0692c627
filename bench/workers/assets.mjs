// The protected site for the benchmark: one small static page, the same for every worker.
// Bound as `ASSETS` (a service binding, i.e. a Fetcher, as Workers static assets are) to
// edge-auth, to the pass-through baseline and to the Auth.js worker. The page arrives as the
// text binding PAGE (bench/workers/page.html), so it is built into the config, not read per
// request.

export default {
  fetch(request, env) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    return new Response(request.method === 'HEAD' ? null : env.PAGE, {
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
    });
  },
};
