// Names the wrapper imports: `importlib.import_module(PREDICTOR_PACKAGE)` then
// `getattr(module, PREDICTOR_CLASS)`. Both end up in generated Python and config, so
// only plain ASCII identifiers are accepted (no quoting or escaping can then go wrong).

/** Python 3 keywords (`keyword.kwlist`): none can name a module or a class. */
// biome-ignore format: one keyword list, as Python prints it
export const PYTHON_KEYWORDS: readonly string[] = Object.freeze([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class',
  'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global',
  'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return',
  'try', 'while', 'with', 'yield',
]);

/**
 * Soft keywords (`keyword.softkwlist`) are legal names, but a predictor class called
 * `match`, `type` or `_` is surely a slip, so PREDICTOR_CLASS rejects them. Module names
 * like `my_package.match` are legitimate and stay allowed.
 */
export const PYTHON_SOFT_KEYWORDS: readonly string[] = Object.freeze([
  '_',
  'case',
  'match',
  'type',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CLASS_NAME_MAX = 100;
export const MODULE_PATH_MAX = 255;
const NAME_RULE = 'ASCII letters, digits and _, not starting with a digit';

function identifierProblem(name: string): string | undefined {
  if (IDENTIFIER.test(name)) return undefined;
  if (/^[0-9]/.test(name)) return 'starts with a digit';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ASCII range on purpose
  if (/[^\x00-\x7f]/.test(name)) return 'has non-ASCII letters';
  const bad = [...name].find((char) => !/[A-Za-z0-9_]/.test(char)) ?? '';
  return /\s/.test(bad) ? 'has a space' : `has ${JSON.stringify(bad)}`;
}

/** Checks PREDICTOR_CLASS: one identifier, not a keyword or soft keyword. */
export function classNameProblem(name: string): string | undefined {
  const shown = JSON.stringify(name);
  if (name.includes('.') && name.split('.').every((part) => IDENTIFIER.test(part))) {
    const cut = name.lastIndexOf('.');
    return `${shown} is a dotted path; give the class name alone (${JSON.stringify(name.slice(cut + 1))}) and put ${JSON.stringify(name.slice(0, cut))} in PREDICTOR_PACKAGE`;
  }
  if (name.length > CLASS_NAME_MAX)
    return `too long: ${name.length} characters (at most ${CLASS_NAME_MAX})`;
  const problem = identifierProblem(name);
  if (problem)
    return `${shown} is not a Python class name: it ${problem} (use ${NAME_RULE}, e.g. MyPredictor)`;
  if (PYTHON_KEYWORDS.includes(name)) return `${shown} is a Python keyword and cannot name a class`;
  if (PYTHON_SOFT_KEYWORDS.includes(name))
    return `${shown} is a Python soft keyword; give your predictor class's own name`;
  return undefined;
}

/** Checks PREDICTOR_PACKAGE: dotted identifiers (`my_package.my_module`), no keyword part. */
export function modulePathProblem(path: string): string | undefined {
  const shown = JSON.stringify(path);
  const example = 'e.g. my_package.my_module';
  if (path.length > MODULE_PATH_MAX)
    return `too long: ${path.length} characters (at most ${MODULE_PATH_MAX})`;
  if (/\.py$/.test(path) || path.includes('/')) {
    const dotted = path
      .replace(/\.py$/, '')
      .replace(/^\.?\/+|\/+$/g, '')
      .replace(/\/+/g, '.');
    const hint =
      modulePathProblem(dotted) === undefined ? `: try ${JSON.stringify(dotted)}` : `, ${example}`;
    return `${shown} looks like a file path; give the module path with dots and no .py${hint}`;
  }
  const parts = path.split('.');
  if (parts.some((part) => part === '')) {
    return `${shown} has an empty part (a dot at the start or end, or two in a row); ${example}`;
  }
  for (const part of parts) {
    const problem = identifierProblem(part);
    if (problem) {
      const fixed = part.replace(/-/g, '_');
      const hint = IDENTIFIER.test(fixed) ? `; try ${JSON.stringify(fixed)}` : '';
      return `${shown} is not an importable module path: ${JSON.stringify(part)} ${problem} (use ${NAME_RULE}, parts joined by dots)${hint}`;
    }
    if (PYTHON_KEYWORDS.includes(part)) {
      return `${shown} uses the Python keyword ${JSON.stringify(part)} as a module name, which an import cannot name; rename that module`;
    }
  }
  return undefined;
}
