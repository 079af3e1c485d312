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
    // The plant model (docs/plant.md) is pure the same way: messages and their arrival time come in.
    files: [
      'src/core/**/*.ts',
      'src/predict/**/*.ts',
      'src/plant/model.ts',
      'src/plant/figures.ts',
      'src/plant/messages.ts',
      'src/plant/topics.ts',
      'src/plant/view.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: IO_MODULES,
              message:
                'src/core, src/predict and the plant model are pure: no I/O modules (see docs/architecture.md#the-pure-core-and-predictors).',
            },
            { group: ['**/plant/*'], message: 'The agent does not import the plant server (src/plant).' },
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
    // One direction: the plant server reads the agents' namespace; the agent never imports it.
    // (src/core and src/predict get the same pattern in the pure block above.)
    files: [
      'src/agent/**/*.ts',
      'src/sources/**/*.ts',
      'src/outputs/**/*.ts',
      'src/server/**/*.ts',
      'src/users/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/plant/*'], message: 'The agent does not import the plant server (src/plant).' }],
        },
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
        HTMLTableElement: 'readonly',
        HTMLAnchorElement: 'readonly',
        Option: 'readonly',
      },
    },
  },
);
