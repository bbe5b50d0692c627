// The pass-through baseline: a worker that authenticates nothing and hands every request to
// ASSETS, the same way edge-auth forwards a signed-in request. It is the limit: edge-auth can
// at best match it, since it does this plus its checks.

export default {
  fetch(request, env) {
    return env.ASSETS.fetch(request);
  },
};
