export { buildWebUi, type BuildWebUiOptions, type WebAsset, type WebBuild } from './build.ts';
