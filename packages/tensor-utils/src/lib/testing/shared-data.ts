export { SHARED_DATA, describeIfSharedData } from '../../../../../tools/test-support/shared-data';
