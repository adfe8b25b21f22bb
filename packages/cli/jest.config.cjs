// hyparquet (used by @koenbert/eval-klue-glue) ships ES modules only: let swc turn it into CommonJS like the sources.
module.exports = {
  ...require('../../jest.preset.js'),
  rootDir: __dirname,
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
};
