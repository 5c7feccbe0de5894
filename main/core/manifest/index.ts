/** The manifest module: parse and validate manifests, and merge their models into a registry. */
export { parseManifestText, type ManifestFormat, type ParseManifestOptions } from './parse-manifest';
export { loadManifestFile, formatOf } from './load-manifest-file';
export { validateManifest, type ValidationContext } from './validate-manifest';
export { ModelRegistry, chooseVariant, modelNotFound, type RegistryAddResult } from './model-registry';
export { checkFolderName, checkRelativePath, collisionKey, type NameProblem } from './safe-names';
export { checkSourceUrl, redactSource, sourceScheme, SOURCE_SCHEMES, type SourceScheme } from './source-url';
export { suggestSimilar } from './suggest-similar';
