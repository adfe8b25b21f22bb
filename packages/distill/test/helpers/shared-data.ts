export { REPO_ROOT, SHARED_DATA, sharedPath, describeIfSharedData } from '../../../../tools/test-support/shared-data';
