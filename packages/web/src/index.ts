export { buildWebUi, type BuildWebUiOptions, type WebAsset, type WebBuild } from './build.ts';
export { renderReportHtml, reportCsp } from './report.ts';
