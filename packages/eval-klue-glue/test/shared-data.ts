export { REPO_ROOT, SHARED_DATA, describeIfSharedData, sharedPath } from '../../../tools/test-support/shared-data';
