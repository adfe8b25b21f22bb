export { KoenbertError, isKoenbertError } from './lib/errors';
export { writeFileAtomic, writeDirAtomic } from './lib/atomic-write';
export { initBackend, type BackendName, type BackendChoice } from './lib/backend/init-backend';
