// The configuration stage: thresholds.yml → Config.
export { loadConfig, ConfigError, DEFAULTS, expandEnv, type ConfigProblem, type LoadOptions } from './load.js';
export { rulesFor } from './rules.js';
export { parseExpression, parseSelector, parseAggregation, formatAggregation, formatExpression, hasWildcard, ExpressionError } from './expression.js';
