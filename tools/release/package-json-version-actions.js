// nx release "versionActions" for plain npm packages. Nx 24's default implementation lives in
// @nx/js, which has no 24.x release; this reads and writes package.json versions directly.
const { VersionActions } = require('nx/release');
const { readJson, writeJson, joinPathFragments } = require('nx/src/devkit-exports');

const DEPENDENCY_COLLECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

class PackageJsonVersionActions extends VersionActions {
  validManifestFilenames = ['package.json'];

  manifestPath() {
    return joinPathFragments(this.projectGraphNode.data.root, 'package.json');
  }

  async readCurrentVersionFromSourceManifest(tree) {
    const manifestPath = this.manifestPath();
    if (!tree.exists(manifestPath)) return null;
    return { currentVersion: readJson(tree, manifestPath).version, manifestPath };
  }

  async readCurrentVersionFromRegistry() {
    // Registry look-ups are not part of this workflow: versions come from package.json or git tags.
    return null;
  }

  async readCurrentVersionOfDependency(tree, projectGraph, dependencyProjectName) {
    const manifest = readJson(tree, this.manifestPath());
    const packageName = projectGraph.nodes[dependencyProjectName]?.data?.metadata?.js?.packageName ?? dependencyProjectName;
    for (const collection of DEPENDENCY_COLLECTIONS) {
      const spec = manifest[collection]?.[packageName];
      if (spec !== undefined) return { currentVersion: spec, dependencyCollection: collection };
    }
    return { currentVersion: null, dependencyCollection: null };
  }

  async updateProjectVersion(tree, newVersion) {
    const manifestPath = this.manifestPath();
    const manifest = readJson(tree, manifestPath);
    manifest.version = newVersion;
    writeJson(tree, manifestPath, manifest);
    return [`New version ${newVersion} written to manifest: ${manifestPath}`];
  }

  async updateProjectDependencies(tree, projectGraph, dependenciesToUpdate) {
    const manifestPath = this.manifestPath();
    const manifest = readJson(tree, manifestPath);
    const changed = [];
    for (const [projectName, version] of Object.entries(dependenciesToUpdate)) {
      const packageName = projectGraph.nodes[projectName]?.data?.metadata?.js?.packageName ?? projectName;
      for (const collection of DEPENDENCY_COLLECTIONS) {
        if (manifest[collection]?.[packageName] !== undefined) {
          manifest[collection][packageName] = version;
          changed.push(`${packageName}@${version}`);
        }
      }
    }
    writeJson(tree, manifestPath, manifest);
    return changed.length ? [`Updated ${changed.length} dependencies in manifest: ${manifestPath}`] : [];
  }
}

module.exports = PackageJsonVersionActions;
module.exports.default = PackageJsonVersionActions;
