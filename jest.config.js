// Four layers, each a jest project: unit (no network, no database), integration (the local runtime over HTTP), infra (CDK
// template), browser (Debian's chromium driving the web UI served by the local runtime).
const transform = { '^.+\\.[tj]s$': ['ts-jest', { isolatedModules: true, tsconfig: { allowJs: true } }] };
const common = { testEnvironment: 'node', transform, transformIgnorePatterns: ['/node_modules/(?!@middy/)'] };

module.exports = {
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], slowTestThreshold: 60 },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/browser/global-setup.ts',
      slowTestThreshold: 60,
    },
  ],
};
