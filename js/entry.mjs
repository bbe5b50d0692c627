// Worker entry module: the Worker's default export around the wasm-bindgen output of
// the Rust crate.
//
// It keeps what matters of the shim `worker-build` 0.8.7 generates
// (worker-build/src/js/shim.js, the panic=abort variant), so the project builds with
// plain `cargo` + `wasm-bindgen` + esbuild and needs no worker-build install. `make
// build` bundles this file with esbuild into build/index.js; the wasm module
// (build/index_bg.wasm) stays a separate, external module that workerd compiles.
//
// - The wasm-bindgen glue (`--target module`) instantiates the wasm module and runs
//   its start function (workers-rs installs a panic hook and an abort handler there).
// - After a Rust panic (panic = "abort") or any WebAssembly.RuntimeError the
//   instance is poisoned: `initState.criticalError` is set (by the panic hook or
//   here) and the next call re-creates the instance with `__wbg_reset_state()`
//   (wasm-bindgen `--experimental-reset-state-function`), so one panic does not
//   brick the isolate.
// - `fetch` first asks the crate's synchronous `gate_forwards` (the hot path, below),
//   then falls back to the `#[event(fetch)]` export `fetch(req, env, ctx)`.
//
// Unlike worker-build, the default export is a plain module-syntax handler object, not
// a `WorkerEntrypoint` class behind a Proxy: the class is constructed and the Proxy
// traps run on every request, which `make bench` measured as a few percent of the
// signed-in throughput. This worker has no Durable Objects and no RPC methods, which
// is what the class form is for.

import * as exports from "../build/bindgen/index.js";

Error.stackTraceLimit = 100;
const initState = exports.__worker_init_state();

function checkReinitialize() {
  if (initState.criticalError) {
    console.log("Reinitializing Wasm application");
    exports.__wbg_reset_state();
    initState.criticalError = false;
    initState.instanceId++;
  }
}

function handleMaybeCritical(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    console.error("Critical", e);
    initState.criticalError = true;
  }
}

addEventListener("error", (e) => {
  handleMaybeCritical(e.error);
});

/** Calls into the wasm, marking the instance critical if the call traps. */
function guarded(call) {
  checkReinitialize();
  try {
    const result = call();
    return result instanceof Promise
      ? result.catch((e) => {
          handleMaybeCritical(e);
          throw e;
        })
      : result;
  } catch (e) {
    handleMaybeCritical(e);
    throw e;
  }
}

export default {
  // The hot path: a signed-in request to a protected path is decided synchronously in
  // wasm (`gate_forwards`: one HMAC over the session cookie) and forwarded to the
  // static assets here, without the async Rust handler. Everything else (no or bad
  // session, auth routes, a missing ASSETS binding) goes to the full handler, which
  // decides again and answers.
  fetch(request, env, ctx) {
    if (env.ASSETS && guarded(() => exports.gate_forwards(request.url, request.headers.get("cookie"), env))) {
      return env.ASSETS.fetch(request);
    }
    return guarded(() => exports.fetch(request, env, ctx));
  },
};
