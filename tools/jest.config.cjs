// Tests of workspace scripts (tools/api: the generated docs/internal-api.md and its --check).
module.exports = { ...require('../jest.preset.js'), rootDir: __dirname, testMatch: ['<rootDir>/api/**/*.test.ts'] };
