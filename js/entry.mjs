// Worker entry module: wraps the wasm-bindgen output of the Rust crate in the
// default-export `WorkerEntrypoint` that workers-rs 0.8.7 expects.
//
// This is a hand-maintained copy of the shim that `worker-build` 0.8.7 generates
// (worker-build/src/js/shim.js, the panic=abort variant), so the project builds
// with plain `cargo` + `wasm-bindgen` + esbuild and needs no worker-build install.
// `make build` bundles this file with esbuild into build/index.js; the wasm module
// (build/index_bg.wasm) stays a separate, external module that workerd compiles.
//
// What it does, as worker-build's shim does:
// - The wasm-bindgen glue (`--target module`) instantiates the wasm module and runs
//   its start function (workers-rs installs a panic hook and an abort handler there).
// - After a Rust panic (panic = "abort") or any WebAssembly.RuntimeError the
//   instance is poisoned: `initState.criticalError` is set (by the panic hook or
//   here) and the next call re-creates the instance with `__wbg_reset_state()`
//   (wasm-bindgen `--experimental-reset-state-function`), so one panic does not
//   brick the isolate.
// - Each event handler the crate exports (`#[event(fetch)]` exports `fetch(req,
//   env, ctx)`) becomes a method of the entrypoint class and is called with
//   `this.env` and `this.ctx`. Unlike worker-build, `fetch` first asks the crate's
//   synchronous `gate_forwards` (the hot path, see below).
//
// Left out on purpose: the class exports worker-build adds for Durable Objects
// (this worker has none), RPC methods for arbitrary exported functions, the
// RUN_TO_COMPLETION variant, and the `worker/shim.mjs` back-compat alias.

import { WorkerEntrypoint } from "cloudflare:workers";
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

addEventListener("error", (e) => {
  handleMaybeCritical(e.error);
});

function handleMaybeCritical(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    console.error("Critical", e);
    initState.criticalError = true;
  }
}

class Entrypoint extends WorkerEntrypoint {}

// The hot path: a signed-in request to a protected path is decided synchronously in wasm
// (`gate_forwards`: one HMAC over the session cookie) and forwarded to the static assets
// here, without the async Rust handler. Everything else (no or bad session, auth routes,
// a missing ASSETS binding) goes to the full handler, which decides again and answers.
Entrypoint.prototype.fetch = function fetch(request) {
  if (this.env.ASSETS && exports.gate_forwards(request.url, request.headers.get("cookie"), this.env)) {
    return this.env.ASSETS.fetch(request);
  }
  return exports.fetch.call(this, request, this.env, this.ctx);
};

// worker-build generates one assignment per exported event handler; doing it in a
// loop keeps this file valid if the crate adds e.g. `#[event(scheduled)]` later.
for (const name of ["queue", "scheduled", "email", "connect"]) {
  if (typeof exports[name] === "function") {
    Entrypoint.prototype[name] = {
      [name](arg) {
        return exports[name].call(this, arg, this.env, this.ctx);
      },
    }[name];
  }
}

const instanceProxyHooks = {
  set: (target, prop, value, receiver) => Reflect.set(target.instance, prop, value, receiver),
  has: (target, prop) => Reflect.has(target.instance, prop),
  deleteProperty: (target, prop) => Reflect.deleteProperty(target.instance, prop),
  apply: (target, thisArg, args) => Reflect.apply(target.instance, thisArg, args),
  construct: (target, args, newTarget) => Reflect.construct(target.instance, args, newTarget),
  getPrototypeOf: (target) => Reflect.getPrototypeOf(target.instance),
  setPrototypeOf: (target, proto) => Reflect.setPrototypeOf(target.instance, proto),
  isExtensible: (target) => Reflect.isExtensible(target.instance),
  preventExtensions: (target) => Reflect.preventExtensions(target.instance),
  getOwnPropertyDescriptor: (target, prop) => Reflect.getOwnPropertyDescriptor(target.instance, prop),
  defineProperty: (target, prop, descriptor) => Reflect.defineProperty(target.instance, prop, descriptor),
  ownKeys: (target) => Reflect.ownKeys(target.instance),
};

// The runtime constructs the entrypoint class per request; every method call goes
// through checkReinitialize() and marks the instance critical if it traps.
const classProxyHooks = {
  construct(ctor, args, newTarget) {
    try {
      checkReinitialize();
      const instance = {
        instance: Reflect.construct(ctor, args, newTarget),
        instanceId: initState.instanceId,
        ctor,
        args,
        newTarget,
      };
      return new Proxy(instance, {
        ...instanceProxyHooks,
        get(target, prop, receiver) {
          if (target.instanceId !== initState.instanceId) {
            target.instance = Reflect.construct(target.ctor, target.args, target.newTarget);
            target.instanceId = initState.instanceId;
          }
          const original = Reflect.get(target.instance, prop, receiver);
          if (typeof original !== "function") return original;
          if (original.constructor === Function) {
            return new Proxy(original, {
              apply(target, thisArg, argArray) {
                checkReinitialize();
                try {
                  return target.apply(thisArg, argArray);
                } catch (e) {
                  handleMaybeCritical(e);
                  throw e;
                }
              },
            });
          }
          return new Proxy(original, {
            async apply(target, thisArg, argArray) {
              checkReinitialize();
              try {
                return await target.apply(thisArg, argArray);
              } catch (e) {
                handleMaybeCritical(e);
                throw e;
              }
            },
          });
        },
      });
    } catch (e) {
      initState.criticalError = true;
      throw e;
    }
  },
};

export default new Proxy(Entrypoint, classProxyHooks);
