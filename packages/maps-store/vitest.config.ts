import { packageTestConfig } from '../../vitest.shared.js';

// No code yet: the issue that builds this package adds its tests.
export default packageTestConfig({ passWithNoTests: true });
