import { describe, expect, it } from 'vitest';
import {
  PYTHON_KEYWORDS,
  PYTHON_SOFT_KEYWORDS,
} from '../../../src/domain/submission-spec/index.ts';
import { expectOneError, expectValid } from './helpers.ts';

// keyword.kwlist of Python 3.
const KWLIST =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield';

describe('Python keyword lists', () => {
  it('holds all 35 Python 3 keywords', () => {
    expect([...PYTHON_KEYWORDS]).toEqual(KWLIST.split(' '));
    expect(PYTHON_KEYWORDS).toHaveLength(35);
  });

  it('holds the soft keywords', () => {
    expect([...PYTHON_SOFT_KEYWORDS].sort()).toEqual(['_', 'case', 'match', 'type']);
  });
});

describe('PREDICTOR_CLASS', () => {
  it.each(['MyPredictor', '_Private', 'P', 'predictor2', 'A_B_C', 'Match', 'TYPE', '__Dunder__'])(
    'accepts %j',
    (name) => {
      expect(expectValid({ PREDICTOR_CLASS: name }).PREDICTOR_CLASS).toBe(name);
    },
  );

  it.each(KWLIST.split(' '))('rejects the keyword %j', (name) => {
    expectOneError(
      { PREDICTOR_CLASS: name },
      'PREDICTOR_CLASS',
      `"${name}" is a Python keyword and cannot name a class`,
    );
  });

  it.each(['match', 'case', 'type', '_'])('rejects the soft keyword %j', (name) => {
    expectOneError({ PREDICTOR_CLASS: name }, 'PREDICTOR_CLASS', /is a Python soft keyword/);
  });

  it.each([
    [
      '2Fast',
      /"2Fast" is not a Python class name: it starts with a digit \(use ASCII letters, digits and _, not starting with a digit, e\.g\. MyPredictor\)/,
    ],
    ['My Predictor', /it has a space/],
    ['My-Predictor', /it has "-"/],
    ['Prédicteur', /it has non-ASCII letters/],
    ['My$Predictor', /it has "\$"/],
    ['Pred;rm', /it has ";"/],
    ['Pred`x`', /it has "`"/],
    ["Pred'", /it has "'"/],
    ['Pred{0}', /it has "\{"/],
    ['Pred()', /it has "\("/],
    [
      'my_package.MyPredictor',
      'is a dotted path; give the class name alone ("MyPredictor") and put "my_package" in PREDICTOR_PACKAGE',
    ],
    ['A'.repeat(101), 'too long: 101 characters (at most 100)'],
  ])('rejects %j', (name, message) => {
    if (typeof message === 'string' && message.startsWith('is a dotted')) {
      expectOneError(
        { PREDICTOR_CLASS: name },
        'PREDICTOR_CLASS',
        `${JSON.stringify(name)} ${message}`,
      );
    } else {
      expectOneError({ PREDICTOR_CLASS: name }, 'PREDICTOR_CLASS', message);
    }
  });

  it('accepts exactly 100 characters', () => {
    expect(expectValid({ PREDICTOR_CLASS: 'A'.repeat(100) }).PREDICTOR_CLASS).toHaveLength(100);
  });

  it('reports missing and non-text values', () => {
    expectOneError(
      { PREDICTOR_CLASS: undefined },
      'PREDICTOR_CLASS',
      /^missing; give the name of your predictor class/,
    );
    expectOneError({ PREDICTOR_CLASS: '  ' }, 'PREDICTOR_CLASS', /^empty/);
    expectOneError({ PREDICTOR_CLASS: true }, 'PREDICTOR_CLASS', /^expected text, got true/);
  });
});

describe('PREDICTOR_PACKAGE', () => {
  it.each([
    'my_package',
    'my_package.my_module',
    'a.b.c.d',
    '_x._y',
    'pkg.match',
    'pkg.type',
    'pkg.case',
    'A1.B2',
  ])('accepts %j', (path) => {
    expect(expectValid({ PREDICTOR_PACKAGE: path }).PREDICTOR_PACKAGE).toBe(path);
  });

  it.each(KWLIST.split(' '))('rejects the keyword %j as any part', (keyword) => {
    for (const path of [keyword, `pkg.${keyword}`, `${keyword}.mod`, `a.${keyword}.b`]) {
      expectOneError(
        { PREDICTOR_PACKAGE: path },
        'PREDICTOR_PACKAGE',
        `${JSON.stringify(path)} uses the Python keyword "${keyword}" as a module name, which an import cannot name; rename that module`,
      );
    }
  });

  it.each([
    ['my-package.my_module', /"my-package" has "-" .*; try "my_package"$/],
    ['pkg.2mod', /"2mod" starts with a digit/],
    ['pkg..mod', /has an empty part/],
    ['.pkg', /has an empty part/],
    ['pkg.', /has an empty part/],
    [
      'pkg/mod.py',
      'looks like a file path; give the module path with dots and no .py: try "pkg.mod"',
    ],
    ['pkg/mod', 'looks like a file path; give the module path with dots and no .py: try "pkg.mod"'],
    ['mod.py', /looks like a file path.*try "mod"$/],
    ['pkg.mod$', /"mod\$" has "\$"/],
    ['pkg;import os', /has ";"/],
    ['pkg mod', /has a space/],
    ['pkg.modülé', /non-ASCII/],
    [`${'a'.repeat(250)}.bcdef`, 'too long: 256 characters (at most 255)'],
  ])('rejects %j', (path, message) => {
    if (typeof message === 'string' && message.startsWith('looks like')) {
      expectOneError(
        { PREDICTOR_PACKAGE: path },
        'PREDICTOR_PACKAGE',
        `${JSON.stringify(path)} ${message}`,
      );
    } else {
      expectOneError({ PREDICTOR_PACKAGE: path }, 'PREDICTOR_PACKAGE', message);
    }
  });

  it('accepts exactly 255 characters', () => {
    const path = `${'a'.repeat(250)}.bcde`;
    expect(expectValid({ PREDICTOR_PACKAGE: path }).PREDICTOR_PACKAGE).toHaveLength(255);
  });
});
