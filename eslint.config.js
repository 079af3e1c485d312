// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Modules that do I/O. The core and the predictors must stay pure
 * (docs/architecture.md#the-pure-core-and-predictors).
 */
const IO_MODULES = [
  'mqtt',
  'aedes',
  'fastify',
  '@fastify/*',
  'ws',
  'modbus-serial',
  'serialport',
  '@serialport/*',
  'onoff',
  'better-sqlite3',
  'influx',
  'pino',
  'playwright-core',
  'fs',
  'fs/*',
  'node:fs',
  'node:fs/*',
  'net',
  'node:net',
  'dgram',
  'node:dgram',
  'http',
  'node:http',
  'https',
  'node:https',
  'child_process',
  'node:child_process',
  'tls',
  'node:tls',
  'os',
  'node:os',
  'worker_threads',
  'node:worker_threads',
  'timers',
  'node:timers',
  'timers/*',
  'node:timers/*',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', 'src/web/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        URLSearchParams: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        crypto: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The pure parts: no I/O imports, no wall clock, no timers. Time arrives on samples or an injected clock.
    files: ['src/core/**/*.ts', 'src/predict/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: IO_MODULES,
              message:
                'src/core and src/predict are pure: no I/O modules (see docs/architecture.md#the-pure-core-and-predictors).',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected clock or the sample timestamp.' },
        { object: 'performance', property: 'now', message: 'Use the injected clock.' },
        { object: 'Math', property: 'random', message: 'The core is deterministic.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'The core sets no timers; the caller ticks it.' },
        { name: 'setInterval', message: 'The core sets no timers; the caller ticks it.' },
        { name: 'setImmediate', message: 'The core sets no timers.' },
        { name: 'process', message: 'The core does not read the environment.' },
        { name: 'fetch', message: 'The core does no I/O.' },
      ],
    },
  },
  {
    files: ['src/web/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        WebSocket: 'readonly',
        location: 'readonly',
        localStorage: 'readonly',
        requestAnimationFrame: 'readonly',
        fetch: 'readonly',
        devicePixelRatio: 'readonly',
        HTMLElement: 'readonly',
        HTMLCanvasElement: 'readonly',
        HTMLInputElement: 'readonly',
        HTMLDialogElement: 'readonly',
        HTMLButtonElement: 'readonly',
        HTMLSelectElement: 'readonly',
        Option: 'readonly',
      },
    },
  },
);
