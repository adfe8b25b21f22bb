// Public API of @koenbert/tensor-utils/testing: helpers for other packages' tests, kept out of the main entry point.

/** A Hugging Face Hub look-alike on 127.0.0.1: pass its `url` as `hubUrl`. */
export { startLocalHubServer, type LocalHubServer, type LocalHubRequest } from './lib/testing/start-local-hub-server';
